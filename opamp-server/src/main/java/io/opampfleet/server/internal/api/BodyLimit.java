package io.opampfleet.server.internal.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Predicate;

/**
 * Caps each request's body before it is gathered in memory: none for a caller without a known
 * token (answered 401 before its body is read), small for every other call, large only for the
 * requests {@code large} admits (package uploads by an admin), so no one without that right can
 * make the server hold a large body, and only one large body at a time (see {@link UploadSlot}).
 */
final class BodyLimit extends ChannelInboundHandlerAdapter {
  private final Predicate<HttpRequest> known;
  private final Predicate<HttpRequest> large;
  private final int small;
  private final int largest;
  private final UploadSlot uploads;
  private long limit;
  private long received;
  private boolean refused;

  /**
   * {@code small} bounds every body but those {@code large} admits, which {@code largest} bounds;
   * callers not {@code known} send none.
   */
  BodyLimit(Predicate<HttpRequest> known, Predicate<HttpRequest> large, int small, int largest, UploadSlot uploads) {
    this.known = known;
    this.large = large;
    this.small = small;
    this.largest = largest;
    this.uploads = uploads;
    this.limit = small;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      received = 0;
      refused = false;
      if (hasBody(request) && !known.test(request)) {
        refuse(ctx, msg, HttpResponseStatus.UNAUTHORIZED,
            AdminApi.unauthenticated(request.headers().get(HttpHeaderNames.AUTHORIZATION)));
        return;
      }
      boolean upload = large.test(request);
      limit = upload ? largest : small;
      if (HttpUtil.getContentLength(request, 0L) > limit) {
        refuse(ctx, msg, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, tooLarge());
        return;
      }
      if (upload && !uploads.take(ctx.channel())) {
        refuse(ctx, msg, HttpResponseStatus.SERVICE_UNAVAILABLE,
            "another package file is being uploaded; try again once it is stored");
        return;
      }
    }
    if (msg instanceof HttpContent content) {
      received += content.content().readableBytes();
      if (refused || received > limit) {
        refuse(ctx, msg, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, tooLarge());
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }

  private static boolean hasBody(HttpRequest request) {
    return HttpUtil.getContentLength(request, 0L) > 0 || HttpUtil.isTransferEncodingChunked(request);
  }

  private String tooLarge() {
    return limit == largest ? "the package file is larger than " + size(limit) + " (admin::max_package_bytes)"
        : "the request body is larger than " + size(limit) + "; only package files an admin uploads may be larger";
  }

  private static String size(long bytes) {
    if (bytes % (1024 * 1024) == 0) {
      return bytes / (1024 * 1024) + " MiB";
    }
    return bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " bytes";
  }

  /**
   * Answers at once, then reads the rest of the body without keeping it and closes the
   * connection at its end, so that a client still sending hears the answer rather than a reset.
   */
  private void refuse(ChannelHandlerContext ctx, Object msg, HttpResponseStatus status, String reason) {
    boolean last = msg instanceof LastHttpContent;
    ReferenceCountUtil.release(msg);
    if (refused) {
      if (last) {
        ctx.close();
      }
      return;
    }
    refused = true;
    byte[] body = AdminApi.error(status.code(), reason).body();
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    if (status == HttpResponseStatus.SERVICE_UNAVAILABLE) {
      response.headers().setInt(HttpHeaderNames.RETRY_AFTER, 5);
    }
    if (last) {
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.writeAndFlush(response);
    }
  }
}

package io.opampfleet.netty.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.opampfleet.proto.ServerToAgent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The HTTP answers of the OpAMP endpoint: protobuf replies, and plain-text refusals. */
final class HttpResponses {
  static final String PROTOBUF = "application/x-protobuf";

  private HttpResponses() {}

  static ChannelFuture protobuf(ChannelHandlerContext ctx, HttpResponseStatus status, ServerToAgent reply,
      boolean keepAlive) {
    ByteBuf body = ctx.alloc().buffer(reply.getSerializedSize());
    body.writeBytes(reply.toByteArray());
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, PROTOBUF);
    return send(ctx, response, keepAlive);
  }

  /** A refusal with a sentence that says what to do; closes the connection. */
  static void text(ChannelHandlerContext ctx, HttpResponseStatus status, String message) {
    send(ctx, textResponse(status, message), false);
  }

  static void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, Duration retryAfter, String message) {
    FullHttpResponse response = textResponse(status, message);
    if (retryAfter != null) {
      long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
      response.headers().set(HttpHeaderNames.RETRY_AFTER, seconds);
    }
    send(ctx, response, false);
  }

  static void methodNotAllowed(ChannelHandlerContext ctx, String message) {
    FullHttpResponse response = textResponse(HttpResponseStatus.METHOD_NOT_ALLOWED, message);
    response.headers().set(HttpHeaderNames.ALLOW, "GET, POST");
    send(ctx, response, false);
  }

  static FullHttpResponse textResponse(HttpResponseStatus status, String message) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.copiedBuffer(message + "\n", StandardCharsets.UTF_8));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    return response;
  }

  /**
   * Turns reading back on once the answer is written, not before: a client that sends requests and
   * never reads the answers would otherwise pile them up in the server's memory.
   */
  static void readNextOnceWritten(ChannelHandlerContext ctx, ChannelFuture written) {
    written.addListener(done -> {
      if (done.isSuccess()) {
        ctx.channel().config().setAutoRead(true);
      }
    });
  }

  static ChannelFuture send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
    HttpUtil.setContentLength(response, response.content().readableBytes());
    if (keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      return ctx.writeAndFlush(response);
    }
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }
}

package io.opampfleet.server.internal.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.stream.ChunkedNioFile;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Hands each request to {@link AdminApi} off the event loop and writes the answer back; the
 * connection reads its next request once the answer is written. A request the HTTP codec could not
 * read is answered 400, 414 or 431 and never runs; one that finds the admin workers' queue full is
 * answered 503.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private final AdminApi api;
  private final Executor executor;
  private final EventStreams streams;

  AdminHandler(AdminApi api, Executor executor, EventStreams streams) {
    this.api = api;
    this.executor = executor;
    this.streams = streams;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    // The package file whose headers took the upload slot: the slot goes with the call from here on.
    Runnable uploadDone = api.admitsLargeBody(request) ? UploadSlot.handOver(ctx.channel()) : () -> {};
    if (request.decoderResult().isFailure()) {
      uploadDone.run();
      write(ctx, undecodable(request.decoderResult().cause()), false);
      return;
    }
    QueryStringDecoder uri = new QueryStringDecoder(request.uri());
    String method = request.method().name();
    String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    Optional<ApiResponse> refused = api.refusedAtOnce(method, uri.path(), authorization);
    if (refused.isPresent()) {
      uploadDone.run();
      ctx.channel().config().setAutoRead(false);
      write(ctx, refused.get(), keepAlive);
      return;
    }
    ByteBuf content = request.content().retain();
    ctx.channel().config().setAutoRead(false);
    try {
      executor.execute(() -> answer(ctx, method, uri, authorization, content, keepAlive, uploadDone));
    } catch (RejectedExecutionException full) {
      content.release();
      uploadDone.run();
      write(ctx, AdminApi.error(503, "the server has as many admin calls waiting as it takes; retry shortly"), false);
    }
  }

  /** Off the event loop: the body (up to a package file's size) is copied, let go, and the call run. */
  private void answer(ChannelHandlerContext ctx, String method, QueryStringDecoder uri, String authorization,
      ByteBuf content, boolean keepAlive, Runnable uploadDone) {
    byte[] body;
    try {
      body = ByteBufUtil.getBytes(content);
    } finally {
      content.release();
    }
    ApiResponse response;
    try {
      response = api.handle(method, uri.path(), uri.parameters(), authorization, body);
    } finally {
      // A package file is stored, or refused, by now: the next upload may be gathered.
      uploadDone.run();
    }
    if (response.stream() != null) {
      ctx.executor().execute(() -> startStream(ctx, response.stream()));
    } else if (response.file() != null) {
      sendFile(ctx, response, keepAlive);
    } else {
      write(ctx, response, keepAlive);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  private static ApiResponse undecodable(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return AdminApi.error(414, "the request line is longer than " + AdminServer.MAX_REQUEST_LINE + " bytes");
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return AdminApi.error(431, "the request headers are larger than " + AdminServer.MAX_HEADERS + " bytes");
    }
    return AdminApi.error(400, "malformed HTTP request");
  }

  private static void write(ChannelHandlerContext ctx, ApiResponse answer, boolean keepAlive) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(answer.status()), Unpooled.wrappedBuffer(answer.body()));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length);
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    answer.headers().forEach(response.headers()::set);
    if (keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(response).addListener(AdminHandler::readNext);
    } else {
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** A file read from disk as the connection takes it, never whole in memory. */
  private static void sendFile(ChannelHandlerContext ctx, ApiResponse answer, boolean keepAlive) {
    ChunkedNioFile chunks;
    try {
      chunks = new ChunkedNioFile(answer.file().toFile(), 64 * 1024);
    } catch (IOException e) {
      write(ctx, AdminApi.error(404, "the file is gone: " + e.getMessage()), keepAlive);
      return;
    }
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
    HttpUtil.setContentLength(head, chunks.length());
    head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    HttpUtil.setKeepAlive(head, keepAlive);
    ctx.write(head);
    ChannelFuture sent = ctx.writeAndFlush(new HttpChunkedInput(chunks));
    sent.addListener(keepAlive ? AdminHandler::readNext : ChannelFutureListener.CLOSE);
  }

  /** The answer is written: the connection may read its next request. */
  private static void readNext(Future<? super Void> written) {
    ChannelFuture future = (ChannelFuture) written;
    if (written.isSuccess()) {
      future.channel().config().setAutoRead(true);
    }
  }

  /** A server-sent event stream, when the listener has room for another. */
  private void startStream(ChannelHandlerContext ctx, EventStream stream) {
    if (!streams.tryOpen()) {
      write(ctx, AdminApi.error(503, "the server has " + streams.limit() + " event streams open, its limit;"
          + " retry later or poll the same resource"), false);
      return;
    }
    ctx.channel().closeFuture().addListener(closed -> streams.closed());
    EventStreamWriter.start(ctx, stream, executor);
  }
}

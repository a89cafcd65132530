package io.opampfleet.netty.server.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.buffer.ByteBufUtil;
import io.opampfleet.netty.server.HttpEndpoint;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One request to an {@link HttpEndpoint}: handed over whole, answered, then the connection reads on. */
final class EndpointExchange {
  private static final Logger log = LoggerFactory.getLogger(EndpointExchange.class);

  private EndpointExchange() {}

  /** Takes the request's body and releases nothing: the caller's request stays the caller's. */
  static void run(ChannelHandlerContext ctx, ServerContext context, HttpEndpoint endpoint, String path,
      FullHttpRequest request, List<X509Certificate> peers) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    HttpEndpoint.Request call = new HttpEndpoint.Request(request.method().name(), path, request.headers().copy(),
        ByteBufUtil.getBytes(request.content()), peers, ClientAddress.of(ctx.channel()));
    // The next request is read once this one's answer is written.
    ctx.channel().config().setAutoRead(false);
    Optional<HttpEndpoint.Answer> refused = endpoint.refusedAtOnce(call);
    if (refused.isPresent()) {
      HttpResponses.readNextOnceWritten(ctx, respond(ctx, refused.get(), keepAlive));
      return;
    }
    context.dispatcher().invoke(() -> endpoint.handle(call))
        .thenCompose(answer -> answer)
        .whenComplete((answered, failure) -> ctx.executor().execute(() -> {
          HttpEndpoint.Answer answer = answered;
          if (failure != null) {
            log.warn("the endpoint at {} failed: {}", path, failure.toString());
            answer = HttpEndpoint.Answer.text(500, "the server could not handle this request");
          }
          HttpResponses.readNextOnceWritten(ctx, respond(ctx, answer, keepAlive));
        }));
  }

  private static ChannelFuture respond(ChannelHandlerContext ctx, HttpEndpoint.Answer answer, boolean keepAlive) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(answer.status()), Unpooled.wrappedBuffer(answer.body()));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
    answer.retryAfter().ifPresent(after ->
        response.headers().set(HttpHeaderNames.RETRY_AFTER, Math.max(1, (after.toMillis() + 999) / 1000)));
    return HttpResponses.send(ctx, response, keepAlive && answer.status() < 500);
  }
}

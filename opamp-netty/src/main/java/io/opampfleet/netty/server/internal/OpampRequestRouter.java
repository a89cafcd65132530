package io.opampfleet.netty.server.internal;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.ssl.SslHandler;
import io.opampfleet.netty.guard.ConnectionCounter;
import io.opampfleet.netty.guard.RequestDeadline;
import io.opampfleet.netty.server.ConnectionDecision;
import io.opampfleet.netty.server.ConnectionRequest;
import io.opampfleet.netty.server.HttpEndpoint;
import io.opampfleet.netty.server.Transport;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits requests to the OpAMP endpoint: the path, the method and content type that pick the
 * transport, the connection limit, and the callbacks' own decision. A WebSocket upgrade turns the
 * pipeline into a WebSocket one; an HTTP request goes on to {@link HttpExchangeHandler}.
 */
public final class OpampRequestRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(OpampRequestRouter.class);

  private final ServerContext context;

  public OpampRequestRouter(ServerContext context) {
    this.context = context;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (request.decoderResult().isFailure()) {
      HttpResponses.text(ctx, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
      return;
    }
    String path = new QueryStringDecoder(request.uri()).path();
    HttpEndpoint endpoint = context.endpoints().get(path);
    if (!path.equals(context.path()) && endpoint == null) {
      HttpResponses.text(ctx, HttpResponseStatus.NOT_FOUND, "not found: OpAMP is served at " + context.path());
      return;
    }
    if (ConnectionCounter.isOverLimit(ctx.channel())) {
      HttpResponses.refuse(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, context.limits().retryAfter(),
          "the server is at its connection limit; retry later");
      return;
    }
    Transport transport = endpoint != null ? Transport.HTTP : transportOf(ctx, request);
    if (transport == null) {
      return;
    }
    List<X509Certificate> peers;
    try {
      peers = ForwardedCertificate.of(ctx.channel(), request.headers(), context.balancers()).orElseGet(() -> peerCertificates(ctx));
    } catch (ForwardedCertificate.Refused refused) {
      HttpResponses.text(ctx, refused.status(), refused.getMessage());
      return;
    }
    if (endpoint != null) {
      EndpointExchange.run(ctx, context, endpoint, path, request, peers);
      return;
    }
    ConnectionRequest connection = new ConnectionRequest(transport, ClientAddress.of(ctx.channel()),
        request.headers().copy(), peers);
    request.retain();
    ctx.channel().config().setAutoRead(false);
    context.dispatcher().invoke(() -> context.dispatcher().callbacks().onConnecting(connection))
        .whenComplete((decision, failure) -> ctx.executor().execute(() -> admit(ctx, request, connection, decision, failure)));
  }

  /** The transport the request asks for, or null after answering a request that asks for none. */
  private static Transport transportOf(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (request.method().equals(HttpMethod.POST)) {
      String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
      if (!type.toLowerCase().startsWith(HttpResponses.PROTOBUF)) {
        HttpResponses.text(ctx, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
            "OpAMP over HTTP is a POST with Content-Type: " + HttpResponses.PROTOBUF);
        return null;
      }
      return Transport.HTTP;
    }
    if (request.method().equals(HttpMethod.GET)
        && request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
      return Transport.WEBSOCKET;
    }
    HttpResponses.methodNotAllowed(ctx, "OpAMP takes a WebSocket upgrade (GET) or an HTTP POST of "
        + HttpResponses.PROTOBUF);
    return null;
  }

  private void admit(ChannelHandlerContext ctx, FullHttpRequest request, ConnectionRequest connection,
      ConnectionDecision decision, Throwable failure) {
    boolean accepted = failure == null && decision.accepted();
    try {
      if (accepted && connection.transport() == Transport.WEBSOCKET) {
        upgrade(ctx, request.retain(), connection);
        return;
      }
      if (failure != null) {
        log.warn("the connecting callback failed for {}: {}", connection.remoteAddress(), failure.toString());
        HttpResponses.text(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "the server could not decide on the connection");
      } else if (!accepted) {
        HttpResponses.refuse(ctx, HttpResponseStatus.valueOf(decision.httpStatus()), decision.retryAfter().orElse(null),
            "connection refused");
      } else {
        // Reading stays off until the exchange handler has answered: one request at a time.
        ctx.fireChannelRead(new AdmittedRequest(request.retain(), connection));
        return;
      }
    } finally {
      request.release();
    }
    ctx.channel().config().setAutoRead(true);
  }

  /** Takes over the request, and releases it once the handshake is written. */
  private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, ConnectionRequest connection) {
    String scheme = ctx.pipeline().get(SslHandler.class) != null ? "wss" : "ws";
    String location = scheme + "://" + request.headers().get(HttpHeaderNames.HOST, "localhost") + context.path();
    WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(
        location, null, false, context.limits().maxMessageBytes()).newHandshaker(request);
    if (handshaker == null) {
      request.release();
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel())
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    WebSocketAgentConnection agent = new WebSocketAgentConnection(
        ctx.channel(), connection.peerCertificates(), context.limits().maxMessageBytes());
    ChannelPipeline pipeline = ctx.pipeline();
    // Frames have no request deadline of HTTP's: a WebSocket lives long, the idle timeout watches
    // it, and each frame has a deadline of its own (PartialFrames).
    pipeline.remove(RequestDeadline.class);
    ChannelFuture handshake;
    try {
      handshake = handshaker.handshake(ctx.channel(), request);
    } catch (RuntimeException malformed) {
      request.release();
      HttpResponses.text(ctx, HttpResponseStatus.BAD_REQUEST, "malformed WebSocket upgrade: " + malformed.getMessage());
      return;
    }
    handshake.addListener(done -> {
      request.release();
      if (!done.isSuccess()) {
        ctx.close();
        return;
      }
      // Reading is off until here, so no frame arrives before its handlers. Frames are made whole
      // before they wait their turn.
      pipeline.addBefore(ServerPipeline.ONE_AT_A_TIME, null,
          new WebSocketFrameAggregator(context.limits().maxMessageBytes()));
      PartialFrames.guard(pipeline, context.budget(), context.limits().requestTimeout());
      pipeline.addLast(new WebSocketFramesHandler(agent, context.dispatcher()));
      pipeline.remove(HttpExchangeHandler.class);
      pipeline.remove(ServerPipeline.DECOMPRESSOR);
      pipeline.remove(this);
      context.dispatcher().connected(agent);
      ctx.channel().config().setAutoRead(true);
    });
  }

  private static List<X509Certificate> peerCertificates(ChannelHandlerContext ctx) {
    SslHandler tls = ctx.pipeline().get(SslHandler.class);
    if (tls == null) {
      return List.of();
    }
    try {
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate certificate : tls.engine().getSession().getPeerCertificates()) {
        chain.add((X509Certificate) certificate);
      }
      return chain;
    } catch (SSLPeerUnverifiedException e) {
      return List.of();
    }
  }
}

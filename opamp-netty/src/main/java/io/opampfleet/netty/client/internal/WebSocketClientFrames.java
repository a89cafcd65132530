package io.opampfleet.netty.client.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.proto.framing.MalformedMessageException;
import io.opampfleet.proto.framing.WebSocketMessageCodec;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's end of an OpAMP WebSocket, after Netty's handshake handler: tells its listener when
 * the socket opens, each ServerToAgent it reads, and how it closed (with the Retry-After of a
 * refused upgrade). A message that cannot be read is skipped, not fatal. When an
 * {@code IdleStateHandler} ahead of it says nothing came for a while, it pings the server; when
 * nothing comes for as long again, the connection is taken for dead (a pulled cable, a NAT that
 * forgot it: TCP alone would wait many minutes) and closed, so that the client reconnects.
 */
final class WebSocketClientFrames extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final Logger log = LoggerFactory.getLogger(WebSocketClientFrames.class);

  interface Listener {
    void opened(Channel channel);

    void received(ServerToAgent message);

    /** {@code retryAfter} is null unless a refused upgrade asked for it. */
    void closed(Throwable cause, Duration retryAfter);
  }

  private final Listener listener;
  private boolean open;
  private Throwable failure;
  private Duration retryAfter;

  WebSocketClientFrames(Listener listener) {
    this.listener = listener;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE && open) {
      if (idle.isFirst()) {
        ctx.writeAndFlush(new PingWebSocketFrame());
      } else {
        log.warn("OpAMP {}: the server did not answer a ping; reconnecting", ctx.channel().remoteAddress());
        failure = new IOException("the server did not answer a ping");
        ctx.close();
      }
      return;
    }
    if (event == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
      open = true;
      listener.opened(ctx.channel());
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof BinaryWebSocketFrame) {
      try {
        listener.received(WebSocketMessageCodec.decode(frame.content(), ServerToAgent.parser()));
      } catch (MalformedMessageException e) {
        log.warn("OpAMP {}: skipped a message from the server that cannot be read: {}", ctx.channel().remoteAddress(),
            e.getMessage());
      }
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof WebSocketClientHandshakeException refused && refused.response() != null) {
      retryAfter = RetryAfter.parse(refused.response().headers().get(HttpHeaderNames.RETRY_AFTER), Instant.now())
          .orElse(null);
    }
    if (failure == null) {
      failure = cause;
    }
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    listener.closed(failure != null ? failure : new IOException("the connection closed"), retryAfter);
    ctx.fireChannelInactive();
  }
}

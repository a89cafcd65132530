package io.opampfleet.netty.server.internal;

import com.google.protobuf.ByteString;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.proto.framing.MalformedMessageException;
import io.opampfleet.proto.framing.WebSocketMessageCodec;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpAMP over WebSocket, after the upgrade: binary messages carry AgentToServer, each answered with
 * a ServerToAgent before the next is read; a message that cannot be read gets a BadRequest reply, a
 * text message or one over the size limit closes the socket with the matching status.
 */
final class WebSocketFramesHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final Logger log = LoggerFactory.getLogger(WebSocketFramesHandler.class);

  private final WebSocketAgentConnection agent;
  private final MessageDispatcher dispatcher;

  WebSocketFramesHandler(WebSocketAgentConnection agent, MessageDispatcher dispatcher) {
    this.agent = agent;
    this.dispatcher = dispatcher;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof BinaryWebSocketFrame) {
      answer(ctx, replyTo(frame));
    } else if (frame instanceof TextWebSocketFrame) {
      BudgetedReads.closing(ctx.pipeline());
      agent.close(new WebSocketCloseStatus(WebSocketCloseStatus.INVALID_MESSAGE_TYPE.code(),
          "OpAMP messages are binary WebSocket messages"));
    } else if (frame instanceof PingWebSocketFrame && ctx.channel().isWritable()) {
      // A client that pings without reading its pongs gets no more until it reads.
      ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
    } else if (frame instanceof CloseWebSocketFrame) {
      ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
          .addListener(ChannelFutureListener.CLOSE);
    }
  }

  private CompletionStage<ServerToAgent> replyTo(WebSocketFrame frame) {
    AgentToServer message;
    try {
      message = WebSocketMessageCodec.decode(frame.content(), AgentToServer.parser());
    } catch (MalformedMessageException e) {
      return CompletableFuture.completedFuture(Replies.badRequest(ByteString.EMPTY, e.getMessage()));
    }
    // Checked before anything is kept or echoed: a stranger's uid may be of any length.
    Optional<String> badUid = InstanceUid.problem(message.getInstanceUid());
    if (badUid.isPresent()) {
      return CompletableFuture.completedFuture(Replies.badRequest(ByteString.EMPTY, badUid.get()));
    }
    return dispatcher.dispatch(agent, message);
  }

  /** The next message is read once this one's reply is sent, so no queue of messages builds up. */
  private void answer(ChannelHandlerContext ctx, CompletionStage<ServerToAgent> reply) {
    ctx.channel().config().setAutoRead(false);
    reply.thenCompose(agent::send).whenComplete((sent, failure) -> ctx.executor().execute(() -> {
      BudgetedReads.answered(ctx.pipeline());
      ctx.channel().config().setAutoRead(true);
    }));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    dispatcher.closed(agent);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    BudgetedReads.closing(ctx.pipeline());
    if (cause instanceof TooLongFrameException) {
      agent.close(new WebSocketCloseStatus(WebSocketCloseStatus.MESSAGE_TOO_BIG.code(),
          "messages are limited to " + dispatcher.maxMessageBytes() + " bytes"));
    } else if (cause instanceof CorruptedWebSocketFrameException) {
      ctx.close();
    } else {
      log.debug("closing the WebSocket of {} after {}", ctx.channel().remoteAddress(), cause.toString());
      agent.close(WebSocketCloseStatus.INTERNAL_SERVER_ERROR);
    }
  }
}

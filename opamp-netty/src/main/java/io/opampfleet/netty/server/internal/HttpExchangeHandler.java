package io.opampfleet.netty.server.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ServerToAgent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpAMP over plain HTTP: one AgentToServer in the request body, one ServerToAgent in the response,
 * with whatever the server sent the agent since its last poll merged in. The connection reads its
 * next request only once this one is answered (the router stopped reading for it).
 */
final class HttpExchangeHandler extends SimpleChannelInboundHandler<AdmittedRequest> {
  private static final Logger log = LoggerFactory.getLogger(HttpExchangeHandler.class);
  /** The specification's header (since v0.15) with the agent's uid as RFC 4122 text. */

  private final ServerContext context;

  HttpExchangeHandler(ServerContext context) {
    this.context = context;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, AdmittedRequest admitted) {
    FullHttpRequest request = admitted.request();
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    AgentToServer message;
    try {
      message = AgentToServer.parseFrom(request.content().nioBuffer());
    } catch (InvalidProtocolBufferException e) {
      badRequest(ctx, "the request body is not an AgentToServer message: " + e.getMessage(), keepAlive);
      return;
    } finally {
      request.release();
    }
    // Checked before anything is kept or echoed: a stranger's uid may be of any length.
    if (InstanceUid.problem(message.getInstanceUid()).isPresent()) {
      badRequest(ctx, InstanceUid.problem(message.getInstanceUid()).get(), keepAlive);
      return;
    }
    // A balancer may route by this header: it must not name another agent than the message.
    if (namesAnotherAgent(request.headers().get(InstanceUid.HEADER), message.getInstanceUid())) {
      badRequest(ctx, "the " + InstanceUid.HEADER + " header does not name the message's instance_uid", keepAlive);
      return;
    }
    HttpAgentConnection agent = context.httpAgents().polled(message.getInstanceUid(), admitted.connection());
    context.dispatcher().dispatch(agent, message).thenAccept(reply -> ctx.executor().execute(() -> {
      ServerToAgent answer = context.dispatcher().withinLimit(agent.replyWithPending(reply));
      ChannelFuture written = HttpResponses.protobuf(ctx, HttpResponseStatus.OK, answer, keepAlive);
      written.addListener(done -> {
        if (!done.isSuccess()) {
          agent.undelivered(answer);
        }
      });
      HttpResponses.readNextOnceWritten(ctx, written);
      // A uid the server never accepted, or replaced with a new one, leaves no connection behind for the
      // expiry to find.
      if (agent.refusedThroughout(answer) || answer.hasAgentIdentification() || message.hasAgentDisconnect()) {
        context.httpAgents().forget(agent);
      }
    }));
  }

  /** A header that is not a UUID at all is left alone: the message's own uid is what counts. */
  private static boolean namesAnotherAgent(String header, ByteString uid) {
    if (header == null) {
      return false;
    }
    try {
      return !InstanceUid.bytes(header.trim()).equals(uid);
    } catch (IllegalArgumentException notAUuid) {
      return false;
    }
  }

  private static void badRequest(ChannelHandlerContext ctx, String reason, boolean keepAlive) {
    HttpResponses.readNextOnceWritten(ctx, HttpResponses.protobuf(ctx, HttpResponseStatus.BAD_REQUEST,
        Replies.badRequest(ByteString.EMPTY, reason), keepAlive));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof DecompressionException || cause.getCause() instanceof DecompressionException
        || cause instanceof TooLongFrameException) {
      HttpResponses.text(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          "the request body is over the " + context.limits().maxMessageBytes() + " byte limit once decompressed");
    } else if (cause instanceof DecoderException) {
      HttpResponses.text(ctx, HttpResponseStatus.BAD_REQUEST, "malformed request: " + cause.getMessage());
    } else {
      log.debug("closing {} after {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }
}

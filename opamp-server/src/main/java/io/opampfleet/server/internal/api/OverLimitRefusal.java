package io.opampfleet.server.internal.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.opampfleet.netty.guard.ConnectionCounter;
import java.nio.charset.StandardCharsets;

/**
 * Answers a connection beyond the admin listener's limits with 503 as soon as it opens, and closes
 * it: waiting for its request would let the connections over the limit hold open files too.
 */
@Sharable
final class OverLimitRefusal extends ChannelInboundHandlerAdapter {
  static final OverLimitRefusal INSTANCE = new OverLimitRefusal();

  private static final byte[] BODY = "{\"error\":\"the admin listener is at its connection limit; retry later\",\"status\":503}"
      .getBytes(StandardCharsets.UTF_8);
  private static final byte[] RESPONSE = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
      + "Content-Length: " + BODY.length + "\r\nRetry-After: 5\r\nConnection: close\r\n\r\n"
      + new String(BODY, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);

  private OverLimitRefusal() {}

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (ConnectionCounter.isOverLimit(ctx.channel())) {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(RESPONSE)).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.fireChannelActive();
  }
}

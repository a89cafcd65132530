package io.opampfleet.netty.server.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open connections and marks those beyond the limit, which the router then answers with
 * 503 and Retry-After: a refusal the client understands, where a dropped socket would look like a
 * network fault.
 */
@Sharable
public final class ConnectionCounter extends ChannelInboundHandlerAdapter {
  private static final AttributeKey<Boolean> OVER_LIMIT = AttributeKey.valueOf("opamp.overLimit");

  private final AtomicInteger open = new AtomicInteger();
  private final int limit;

  ConnectionCounter(int limit) {
    this.limit = limit;
  }

  public int open() {
    return open.get();
  }

  static boolean isOverLimit(Channel channel) {
    return Boolean.TRUE.equals(channel.attr(OVER_LIMIT).get());
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (open.incrementAndGet() > limit) {
      ctx.channel().attr(OVER_LIMIT).set(true);
    }
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    open.decrementAndGet();
    ctx.fireChannelInactive();
  }
}

package io.opampfleet.netty.server.internal;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;

/** Closes a connection its {@code IdleStateHandler} reports idle. */
@Sharable
final class IdleCloser extends ChannelInboundHandlerAdapter {
  static final IdleCloser INSTANCE = new IdleCloser();

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent) {
      ctx.close();
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }
}

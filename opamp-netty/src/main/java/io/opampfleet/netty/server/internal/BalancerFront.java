package io.opampfleet.netty.server.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.util.NetUtil;
import io.opampfleet.netty.guard.ConnectionCounter;
import io.opampfleet.netty.server.Balancers;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * First on a listener with balancers in front: marks a connection from a balancer's address as
 * such and, when balancers send a PROXY header, reads it (before TLS) and takes the client it names
 * as the connection's address, also for the per-address connection limit. A connection from any
 * other address is left as it is: a PROXY header from it is not read, and fails as bad TLS or HTTP.
 */
final class BalancerFront extends ChannelInboundHandlerAdapter {
  private final Balancers balancers;
  private final ConnectionCounter counter;

  BalancerFront(Balancers balancers, ConnectionCounter counter) {
    this.balancers = balancers;
    this.counter = counter;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (ctx.channel().remoteAddress() instanceof InetSocketAddress peer && balancers.trusts(peer)) {
      ClientAddress.balancer(ctx.channel());
      if (balancers.proxyProtocol()) {
        // Bytes meet the decoder first; the header it makes comes here.
        ctx.pipeline().addBefore(ctx.name(), null, new HAProxyMessageDecoder());
        super.channelActive(ctx);
        return;
      }
    }
    ctx.pipeline().remove(this);
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (!(msg instanceof HAProxyMessage header)) {
      super.channelRead(ctx, msg);
      return;
    }
    try {
      // LOCAL: the balancer's own health check; the connection stays the balancer's.
      if (header.command() == HAProxyCommand.PROXY && header.sourceAddress() != null) {
        byte[] numeric = NetUtil.createByteArrayFromIpAddressString(header.sourceAddress());
        if (numeric != null) {
          InetSocketAddress client = new InetSocketAddress(InetAddress.getByAddress(numeric), header.sourcePort());
          ClientAddress.named(ctx.channel(), client);
          counter.readdress(ctx.channel(), client.getAddress());
        }
      }
    } finally {
      header.release();
      ctx.pipeline().remove(this);
    }
  }
}

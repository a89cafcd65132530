package io.opampfleet.netty.guard;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts a listener's open connections, in all and from each client address, and marks those
 * beyond either limit; the listener then refuses them in its own words (HTTP 503 with
 * Retry-After), a refusal the client understands where a dropped socket would look like a fault.
 */
@Sharable
public final class ConnectionCounter extends ChannelInboundHandlerAdapter {
  private static final AttributeKey<Boolean> OVER_LIMIT = AttributeKey.valueOf("guard.overLimit");
  private static final AttributeKey<InetAddress> COUNTED = AttributeKey.valueOf("guard.countedAddress");

  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
  private final int limit;
  private final int addressLimit;

  public ConnectionCounter(int limit, int addressLimit) {
    if (limit < 1 || addressLimit < 1) {
      throw new IllegalArgumentException("connection limits must be at least 1, not " + limit + " and " + addressLimit);
    }
    this.limit = limit;
    this.addressLimit = addressLimit;
  }

  public int open() {
    return open.get();
  }

  public static boolean isOverLimit(Channel channel) {
    return Boolean.TRUE.equals(channel.attr(OVER_LIMIT).get());
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    int total = open.incrementAndGet();
    InetAddress address = address(ctx.channel());
    int fromAddress = 0;
    if (address != null) {
      ctx.channel().attr(COUNTED).set(address);
      fromAddress = perAddress.merge(address, 1, Integer::sum);
    }
    if (total > limit || fromAddress > addressLimit) {
      ctx.channel().attr(OVER_LIMIT).set(true);
    }
    ctx.fireChannelActive();
  }

  /**
   * Counts the connection against the client a balancer says it carries, instead of the balancer's
   * own address; marks it when that client is over its limit.
   */
  public void readdress(Channel channel, InetAddress client) {
    InetAddress counted = channel.attr(COUNTED).getAndSet(client);
    if (counted != null) {
      perAddress.computeIfPresent(counted, (key, count) -> count > 1 ? count - 1 : null);
    }
    if (perAddress.merge(client, 1, Integer::sum) > addressLimit) {
      channel.attr(OVER_LIMIT).set(true);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    open.decrementAndGet();
    InetAddress address = ctx.channel().attr(COUNTED).getAndSet(null);
    if (address != null) {
      perAddress.computeIfPresent(address, (key, count) -> count > 1 ? count - 1 : null);
    }
    ctx.fireChannelInactive();
  }

  private static InetAddress address(Channel channel) {
    return channel.remoteAddress() instanceof InetSocketAddress socket ? socket.getAddress() : null;
  }
}

package io.opampfleet.netty.server.internal;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;

/** The address of the client at the other end: the socket's peer, or the one a balancer's PROXY header named. */
public final class ClientAddress {
  private static final AttributeKey<InetSocketAddress> NAMED = AttributeKey.valueOf("server.clientAddress");
  private static final AttributeKey<Boolean> BALANCER = AttributeKey.valueOf("server.fromBalancer");

  private ClientAddress() {}

  public static InetSocketAddress of(Channel channel) {
    InetSocketAddress named = channel.attr(NAMED).get();
    if (named != null) {
      return named;
    }
    return channel.remoteAddress() instanceof InetSocketAddress address
        ? address
        : InetSocketAddress.createUnresolved("unknown", 0);
  }

  static void named(Channel channel, InetSocketAddress client) {
    channel.attr(NAMED).set(client);
  }

  /** Whether the connection comes from a balancer the listener trusts. */
  static boolean fromBalancer(Channel channel) {
    return Boolean.TRUE.equals(channel.attr(BALANCER).get());
  }

  static void balancer(Channel channel) {
    channel.attr(BALANCER).set(true);
  }
}

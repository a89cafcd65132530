package io.opampfleet.server;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** The URLs the server gives agents for itself, made from where a listener is bound. */
final class AdvertisedUrls {
  private AdvertisedUrls() {}

  /**
   * {@code scheme://host:port}: the machine's name for a listener on every address, {@code localhost}
   * for a loopback one under TLS (certificates name it), the address itself otherwise.
   */
  static String base(String scheme, InetSocketAddress bound, boolean tls) {
    return scheme + "://" + host(bound, tls) + ":" + bound.getPort();
  }

  private static String host(InetSocketAddress bound, boolean tls) {
    InetAddress address = bound.getAddress();
    if (address != null && address.isAnyLocalAddress()) {
      try {
        return InetAddress.getLocalHost().getCanonicalHostName();
      } catch (UnknownHostException e) {
        return "localhost";
      }
    }
    if (address != null && address.isLoopbackAddress() && tls) {
      return "localhost";
    }
    return address instanceof Inet6Address ? "[" + bound.getHostString() + "]" : bound.getHostString();
  }
}

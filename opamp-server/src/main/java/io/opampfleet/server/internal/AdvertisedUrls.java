package io.opampfleet.server.internal;

import io.opampfleet.netty.server.OpampServer;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;

/** The URLs the server gives agents for itself, made from where a listener is bound. */
public final class AdvertisedUrls {
  private AdvertisedUrls() {}

  /**
   * {@code scheme://host:port}: the machine's name for a listener on every address, {@code localhost}
   * for a loopback one under TLS (certificates name it), the address itself otherwise.
   */
  public static String base(String scheme, InetSocketAddress bound, boolean tls) {
    return scheme + "://" + host(bound, tls) + ":" + bound.getPort();
  }

  /**
   * The base of the agents' endpoint {@code wss://host:port/prefix/v1/opamp} for other paths of the
   * same listener: the same host, port and path prefix (a proxy's), over https (http for ws).
   */
  public static String httpBase(String opampEndpoint) {
    URI uri = URI.create(opampEndpoint);
    String scheme = uri.getScheme().equals("wss") || uri.getScheme().equals("https") ? "https" : "http";
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String prefix = path.endsWith(OpampServer.DEFAULT_PATH)
        ? path.substring(0, path.length() - OpampServer.DEFAULT_PATH.length()) : "";
    return scheme + "://" + uri.getRawAuthority() + prefix;
  }

  /** The machine's name, looked up once: offers and package URLs are made often. */
  private static final class MachineName {
    static final String VALUE = lookup();

    private static String lookup() {
      try {
        return InetAddress.getLocalHost().getCanonicalHostName();
      } catch (UnknownHostException e) {
        return "localhost";
      }
    }
  }

  private static String host(InetSocketAddress bound, boolean tls) {
    InetAddress address = bound.getAddress();
    if (address != null && address.isAnyLocalAddress()) {
      return MachineName.VALUE;
    }
    if (address != null && address.isLoopbackAddress() && tls) {
      return "localhost";
    }
    return address instanceof Inet6Address ? "[" + bound.getHostString() + "]" : bound.getHostString();
  }
}

package io.opampfleet.netty.client.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.opampfleet.netty.Backoff;
import io.opampfleet.netty.client.ClientCallbacks;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a client's transport works with; {@code tls} is null for ws and http, {@code localAddress}
 * null to let the system pick the source address; {@code pingAfter} is how long a WebSocket may
 * hear nothing before it pings the server (and, as long again, before it is taken for dead).
 */
public record ClientContext(
    URI endpoint,
    InetAddress localAddress,
    EventLoopGroup group,
    SslContext tls,
    Supplier<Map<String, String>> headers,
    ClientState state,
    ClientCallbacks callbacks,
    SerialExecutor callbackExecutor,
    Backoff backoff,
    int maxMessageBytes,
    Duration pollingInterval,
    Duration pingAfter) {

  public String host() {
    return endpoint.getHost();
  }

  public int port() {
    int port = endpoint.getPort();
    if (port > 0) {
      return port;
    }
    return isSecure(endpoint) ? 443 : 80;
  }

  /** wss and https: the schemes that need TLS. */
  public static boolean isSecure(URI endpoint) {
    String scheme = endpoint.getScheme().toLowerCase();
    return scheme.equals("wss") || scheme.equals("https");
  }

  /** The path and query to request, as the server's URL names them. */
  public String pathAndQuery() {
    String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
    return endpoint.getRawQuery() == null ? path : path + "?" + endpoint.getRawQuery();
  }

  /** The Host header: the host, and the port when it is not the scheme's own. */
  public String hostHeader() {
    return endpoint.getPort() > 0 ? host() + ":" + endpoint.getPort() : host();
  }
}

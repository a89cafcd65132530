package io.opampfleet.netty.server;

import java.time.Duration;

/**
 * Bounds on what one connection and the whole server may take.
 *
 * @param maxMessageBytes the largest message in either direction, counted after decompression
 * @param maxConnections open connections beyond this get HTTP 503 with Retry-After
 * @param maxConnectionsPerAddress open connections from one client address beyond this, likewise
 * @param requestTimeout how long a new connection may take to deliver its first request
 * @param idleTimeout an open connection that sends nothing for this long is closed, and an HTTP agent that
 *     polls nothing for this long is forgotten; zero: never
 * @param retryAfter what a refused connection is told to wait
 */
public record ServerLimits(
    int maxMessageBytes, int maxConnections, int maxConnectionsPerAddress, Duration requestTimeout,
    Duration idleTimeout, Duration retryAfter) {
  /** The specification recommends 64 MiB as the default message limit. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

  public ServerLimits {
    if (maxMessageBytes < 1024) {
      throw new IllegalArgumentException("maxMessageBytes must be at least 1024, not " + maxMessageBytes);
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be at least 1, not " + maxConnections);
    }
    if (maxConnectionsPerAddress < 1) {
      throw new IllegalArgumentException("maxConnectionsPerAddress must be at least 1, not " + maxConnectionsPerAddress);
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("requestTimeout must be positive, not " + requestTimeout);
    }
    if (idleTimeout.isNegative()) {
      throw new IllegalArgumentException("idleTimeout must not be negative, not " + idleTimeout);
    }
  }

  public static ServerLimits defaults() {
    return new ServerLimits(DEFAULT_MAX_MESSAGE_BYTES, 100_000, 100_000, Duration.ofSeconds(10),
        Duration.ofMinutes(5), Duration.ofSeconds(30));
  }

  public ServerLimits withMaxMessageBytes(int bytes) {
    return new ServerLimits(bytes, maxConnections, maxConnectionsPerAddress, requestTimeout, idleTimeout, retryAfter);
  }

  public ServerLimits withMaxConnections(int connections) {
    return new ServerLimits(maxMessageBytes, connections, maxConnectionsPerAddress, requestTimeout, idleTimeout, retryAfter);
  }

  public ServerLimits withMaxConnectionsPerAddress(int connections) {
    return new ServerLimits(maxMessageBytes, maxConnections, connections, requestTimeout, idleTimeout, retryAfter);
  }

  public ServerLimits withRequestTimeout(Duration timeout) {
    return new ServerLimits(maxMessageBytes, maxConnections, maxConnectionsPerAddress, timeout, idleTimeout, retryAfter);
  }

  public ServerLimits withIdleTimeout(Duration timeout) {
    return new ServerLimits(maxMessageBytes, maxConnections, maxConnectionsPerAddress, requestTimeout, timeout, retryAfter);
  }
}

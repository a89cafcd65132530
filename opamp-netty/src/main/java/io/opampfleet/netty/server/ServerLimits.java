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
 * @param maxBytesInHand bytes of agents' messages all connections together may hold, from the first
 *     byte read to the reply written; a message past it is refused with 503 (WebSocket: closed with
 *     1013) and Retry-After. At least {@code maxMessageBytes}.
 */
public record ServerLimits(
    int maxMessageBytes, int maxConnections, int maxConnectionsPerAddress, Duration requestTimeout,
    Duration idleTimeout, Duration retryAfter, long maxBytesInHand) {
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
    if (maxBytesInHand < maxMessageBytes) {
      throw new IllegalArgumentException("maxBytesInHand (" + maxBytesInHand + ") must hold at least one message of"
          + " maxMessageBytes (" + maxMessageBytes + ")");
    }
    if (idleTimeout.isNegative()) {
      throw new IllegalArgumentException("idleTimeout must not be negative, not " + idleTimeout);
    }
  }

  /** Messages in hand may take a quarter of the heap, and at least one message of the default limit. */
  public static ServerLimits defaults() {
    return new ServerLimits(DEFAULT_MAX_MESSAGE_BYTES, 100_000, 100_000, Duration.ofSeconds(10),
        Duration.ofMinutes(5), Duration.ofSeconds(30),
        Math.max(DEFAULT_MAX_MESSAGE_BYTES, Runtime.getRuntime().maxMemory() / 4));
  }

  /** Also raises the bytes in hand to hold at least one such message. */
  public ServerLimits withMaxMessageBytes(int bytes) {
    return new ServerLimits(bytes, maxConnections, maxConnectionsPerAddress, requestTimeout, idleTimeout, retryAfter,
        Math.max(bytes, maxBytesInHand));
  }

  public ServerLimits withMaxBytesInHand(long bytes) {
    return new ServerLimits(maxMessageBytes, maxConnections, maxConnectionsPerAddress, requestTimeout, idleTimeout,
        retryAfter, bytes);
  }

  public ServerLimits withMaxConnections(int connections) {
    return new ServerLimits(maxMessageBytes, connections, maxConnectionsPerAddress, requestTimeout, idleTimeout, retryAfter, maxBytesInHand);
  }

  public ServerLimits withMaxConnectionsPerAddress(int connections) {
    return new ServerLimits(maxMessageBytes, maxConnections, connections, requestTimeout, idleTimeout, retryAfter, maxBytesInHand);
  }

  public ServerLimits withRequestTimeout(Duration timeout) {
    return new ServerLimits(maxMessageBytes, maxConnections, maxConnectionsPerAddress, timeout, idleTimeout, retryAfter, maxBytesInHand);
  }

  public ServerLimits withIdleTimeout(Duration timeout) {
    return new ServerLimits(maxMessageBytes, maxConnections, maxConnectionsPerAddress, requestTimeout, timeout, retryAfter, maxBytesInHand);
  }
}

package io.opampfleet.netty.server;

import java.time.Duration;
import java.util.Optional;

/** Whether to accept a connection; a refusal carries an HTTP status and, optionally, Retry-After. */
public record ConnectionDecision(boolean accepted, int httpStatus, Optional<Duration> retryAfter) {
  private static final ConnectionDecision ACCEPT = new ConnectionDecision(true, 0, Optional.empty());

  public ConnectionDecision {
    if (!accepted && (httpStatus < 400 || httpStatus > 599)) {
      throw new IllegalArgumentException("a refusal needs a 4xx or 5xx HTTP status, not " + httpStatus);
    }
  }

  public static ConnectionDecision accept() {
    return ACCEPT;
  }

  /** Refuses with a status such as 401 (authentication failed) or 403. */
  public static ConnectionDecision reject(int httpStatus) {
    return new ConnectionDecision(false, httpStatus, Optional.empty());
  }

  /** Refuses with a status such as 503 or 429 and asks the client to come back after a while. */
  public static ConnectionDecision reject(int httpStatus, Duration retryAfter) {
    return new ConnectionDecision(false, httpStatus, Optional.of(retryAfter));
  }
}

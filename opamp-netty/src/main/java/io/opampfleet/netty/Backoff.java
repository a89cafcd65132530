package io.opampfleet.netty;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before the next attempt after consecutive failures: exponential from
 * {@code initial} up to {@code max}, less up to {@code jitter} of it at random, so that many that
 * failed together (a fleet that lost its server, collectors that crashed at once) do not all come
 * back in one wave. One implementation for the client's reconnects, the supervisor's collector
 * restarts and the server's store retries.
 */
public record Backoff(Duration initial, Duration max, double multiplier, double jitter) {
  public Backoff {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0 || multiplier < 1) {
      throw new IllegalArgumentException("a backoff needs 0 < initial <= max and a multiplier of at least 1");
    }
    if (jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException("a backoff's jitter is a share of the delay, from 0 to 1");
    }
  }

  /** Each delay spread over its upper half. */
  public Backoff(Duration initial, Duration max, double multiplier) {
    this(initial, max, multiplier, 0.5);
  }

  public static Backoff defaults() {
    return new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), 2);
  }

  /** The wait after {@code failures} failures in a row (1 or more). */
  public Duration delay(int failures) {
    double ceiling = Math.min(max.toNanos(), initial.toNanos() * Math.pow(multiplier, Math.max(0, failures - 1)));
    double jittered = ceiling * (1 - jitter * ThreadLocalRandom.current().nextDouble());
    return Duration.ofNanos((long) jittered);
  }
}

package io.opampfleet.netty.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before the next attempt after consecutive failures: exponential from
 * {@code initial} up to {@code max}, each delay spread at random over its upper half so that a
 * fleet that lost its server does not come back in one wave.
 */
public record Backoff(Duration initial, Duration max, double multiplier) {
  public Backoff {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0 || multiplier < 1) {
      throw new IllegalArgumentException("a backoff needs 0 < initial <= max and a multiplier of at least 1");
    }
  }

  public static Backoff defaults() {
    return new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), 2);
  }

  /** The wait after {@code failures} failures in a row (1 or more). */
  public Duration delay(int failures) {
    double ceiling = Math.min(max.toNanos(), initial.toNanos() * Math.pow(multiplier, Math.max(0, failures - 1)));
    double jittered = ceiling * (0.5 + 0.5 * ThreadLocalRandom.current().nextDouble());
    return Duration.ofNanos((long) jittered);
  }
}

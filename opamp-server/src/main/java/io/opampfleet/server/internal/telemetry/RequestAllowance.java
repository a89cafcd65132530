package io.opampfleet.server.internal.telemetry;

/**
 * One agent's allowance of requests: a token bucket that starts full, so a collector's burst (an
 * export at shutdown, then one at start) passes while a steady flood does not. Guava's rate
 * limiter starts empty and allows no burst of a chosen size, hence these few lines.
 */
final class RequestAllowance {
  static final int BURST = 5;

  private final double perMilli;
  private double tokens = BURST;
  private long updated;

  RequestAllowance(double perMinute, long now) {
    this.perMilli = perMinute / 60_000.0;
    this.updated = now;
  }

  /** Takes one request: 0 when allowed, otherwise the milliseconds until it would be. */
  synchronized long take(long now) {
    tokens = Math.min(BURST, tokens + Math.max(0, now - updated) * perMilli);
    updated = now;
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return (long) Math.ceil((1 - tokens) / perMilli);
  }
}

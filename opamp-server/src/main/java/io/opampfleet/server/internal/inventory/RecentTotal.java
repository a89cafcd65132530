package io.opampfleet.server.internal.inventory;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The sum of what was added within a window of whole minutes, kept a minute at a time (an amount counts
 * for at least the window less a minute): a few longs however much is added (a library's sliding window
 * would bring a dependency for ten lines). Not thread-safe: its owner's lock guards it.
 */
final class RecentTotal {
  private static final long MINUTE_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final long[] amounts;
  private final long[] minutes;

  RecentTotal(Duration window) {
    int buckets = (int) Math.max(1, window.toMinutes());
    amounts = new long[buckets];
    minutes = new long[buckets];
    Arrays.fill(minutes, Long.MIN_VALUE);
  }

  void add(long amount, long nowNanos) {
    long minute = Math.floorDiv(nowNanos, MINUTE_NANOS);
    int bucket = (int) Math.floorMod(minute, amounts.length);
    if (minutes[bucket] != minute) {
      minutes[bucket] = minute;
      amounts[bucket] = 0;
    }
    amounts[bucket] += amount;
  }

  /** What was added in this minute and the window's minutes before it. */
  long total(long nowNanos) {
    long minute = Math.floorDiv(nowNanos, MINUTE_NANOS);
    long total = 0;
    for (int i = 0; i < amounts.length; i++) {
      if (minutes[i] > minute - amounts.length) {
        total += amounts[i];
      }
    }
    return total;
  }
}

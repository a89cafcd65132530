package io.opampfleet.harness.loadtest;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Moments passed between the processes of one run, as microseconds since the epoch: each process
 * measures with its own monotonic clock and converts at the edge. Processes on other hosts need
 * their clocks in sync (NTP) for the figures to line up.
 */
final class WallClock {
  private WallClock() {}

  static long epochMicros() {
    return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
  }

  /** This process's {@link System#nanoTime} reading for a moment given in epoch microseconds. */
  static long toNanoTime(long epochMicros) {
    return System.nanoTime() - (epochMicros() - epochMicros) * 1_000;
  }

  /** A {@link System#nanoTime} reading of this process in epoch microseconds. */
  static long toEpochMicros(long nanoTime) {
    return epochMicros() - (System.nanoTime() - nanoTime) / 1_000;
  }
}

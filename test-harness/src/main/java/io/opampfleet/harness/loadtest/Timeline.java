package io.opampfleet.harness.loadtest;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What the fleet went through, counted as it happens: connect times, and from the rollout's start
 * the times to config received and to config applied, in microseconds; errors by kind.
 */
final class Timeline {
  private static final long HOUR_MICROS = 3_600_000_000L;

  final Histogram connect = new ConcurrentHistogram(HOUR_MICROS, 3);
  final Histogram received = new ConcurrentHistogram(HOUR_MICROS, 3);
  final Histogram applied = new ConcurrentHistogram(HOUR_MICROS, 3);
  final LongAdder connected = new LongAdder();
  final LongAdder receivedCount = new LongAdder();
  final LongAdder appliedCount = new LongAdder();
  final LongAdder failedCount = new LongAdder();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final AtomicLong rolloutStart = new AtomicLong();

  void connected(long nanos) {
    connected.increment();
    connect.recordValue(Math.max(1, nanos / 1_000));
  }

  void rolloutStarts(long nanoTime) {
    rolloutStart.set(nanoTime);
  }

  void received(long nanoTime) {
    receivedCount.increment();
    long start = rolloutStart.get();
    if (start > 0) {
      received.recordValue(Math.max(1, (nanoTime - start) / 1_000));
    }
  }

  void applied(long nanoTime, boolean failed) {
    (failed ? failedCount : appliedCount).increment();
    long start = rolloutStart.get();
    if (start > 0 && !failed) {
      applied.recordValue(Math.max(1, (nanoTime - start) / 1_000));
    }
  }

  void error(Throwable cause) {
    error(kind(cause));
  }

  void error(String kind) {
    errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
  }

  Map<String, Long> errors() {
    Map<String, Long> counts = new TreeMap<>();
    errors.forEach((kind, count) -> counts.put(kind, count.sum()));
    return counts;
  }

  private static String kind(Throwable cause) {
    String text = String.valueOf(cause.getMessage());
    if (text.contains("Connection refused")) {
      return "refused";
    }
    if (text.contains(" 401")) {
      return "401";
    }
    if (text.contains(" 503")) {
      return "503 (Retry-After)";
    }
    if (cause instanceof java.util.concurrent.TimeoutException || text.toLowerCase().contains("timed out")) {
      return "timeout";
    }
    return cause.getClass().getSimpleName();
  }
}

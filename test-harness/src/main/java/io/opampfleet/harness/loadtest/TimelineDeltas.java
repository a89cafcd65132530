package io.opampfleet.harness.loadtest;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;

/** A worker's timeline as increments: each delta holds what happened since the one before. */
final class TimelineDeltas {
  private final Timeline timeline;
  private final Map<String, Histogram> sentHistograms = new HashMap<>();
  private final Map<String, long[]> sentTicks = new HashMap<>();
  private final Map<String, Long> sentErrors = new HashMap<>();
  private long connected;
  private long reconnected;
  private long received;
  private long applied;
  private long failed;

  TimelineDeltas(Timeline timeline) {
    this.timeline = timeline;
  }

  synchronized TimelineDelta next(long heapBytesPerAgent) {
    Map<String, String> histograms = new LinkedHashMap<>();
    timeline.histograms().forEach((name, histogram) -> {
      Histogram now = histogram.copy();
      Histogram increment = now.copy();
      Histogram before = sentHistograms.get(name);
      if (before != null) {
        increment.subtract(before);
      }
      sentHistograms.put(name, now);
      if (increment.getTotalCount() > 0) {
        histograms.put(name, HistogramText.encode(increment));
      }
    });
    Map<String, Long> errors = new TreeMap<>();
    timeline.errors().forEach((kind, count) -> {
      long increment = count - sentErrors.getOrDefault(kind, 0L);
      if (increment != 0) {
        errors.put(kind, increment);
      }
      sentErrors.put(kind, count);
    });
    long[] span = timeline.connectSpanMicros();
    TimelineDelta delta = new TimelineDelta(timeline.connected.sum() - connected,
        timeline.reconnected.sum() - reconnected,
        timeline.receivedCount.sum() - received, timeline.appliedCount.sum() - applied,
        timeline.failedCount.sum() - failed, histograms, span[0], span[1],
        ticks("received", timeline.receivedPerTick), ticks("applied", timeline.appliedPerTick),
        ticks("failed", timeline.failedPerTick), errors, heapBytesPerAgent);
    connected += delta.connected();
    reconnected += delta.reconnected();
    received += delta.received();
    applied += delta.applied();
    failed += delta.failed();
    return delta;
  }

  private Map<Integer, Long> ticks(String name, AtomicLongArray series) {
    long[] sent = sentTicks.computeIfAbsent(name, key -> new long[series.length()]);
    Map<Integer, Long> increments = new TreeMap<>();
    for (int i = 0; i < series.length(); i++) {
      long now = series.get(i);
      if (now != sent[i]) {
        increments.put(i, now - sent[i]);
        sent[i] = now;
      }
    }
    return increments;
  }
}

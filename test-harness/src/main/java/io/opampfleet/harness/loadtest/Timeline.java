package io.opampfleet.harness.loadtest;

import io.opampfleet.simulated.AgentListener;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What the fleet went through, counted as it happens: connect times, and from the rollout's start
 * the times to config received and to config applied, in microseconds; errors by kind.
 */
final class Timeline implements AgentListener {
  private static final long HOUR_MICROS = 3_600_000_000L;
  static final int TICK_MILLIS = 100;
  private static final int TICKS = 36_000;

  final Histogram connect = new ConcurrentHistogram(HOUR_MICROS, 3);
  final Histogram handshake = new ConcurrentHistogram(HOUR_MICROS, 3);
  private final AtomicLong firstConnect = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastConnect = new AtomicLong(Long.MIN_VALUE);
  final Histogram received = new ConcurrentHistogram(HOUR_MICROS, 3);
  final Histogram applied = new ConcurrentHistogram(HOUR_MICROS, 3);
  /** From the rollout's start to APPLIED recorded by the server, as its API shows it (the coordinator's alone). */
  final Histogram recorded = new ConcurrentHistogram(HOUR_MICROS, 3);
  final LongAdder connected = new LongAdder();
  /** Agents connected again after losing their connection (a server gone, say). */
  final LongAdder reconnected = new LongAdder();
  final LongAdder receivedCount = new LongAdder();
  final LongAdder appliedCount = new LongAdder();
  final LongAdder failedCount = new LongAdder();
  /** Agents that got the config, applied it, or failed it, per tenth of a second since the rollout's start. */
  final AtomicLongArray receivedPerTick = new AtomicLongArray(TICKS);
  final AtomicLongArray appliedPerTick = new AtomicLongArray(TICKS);
  final AtomicLongArray failedPerTick = new AtomicLongArray(TICKS);
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  // nanoTime may be any long, negative too: this one stands for "not started".
  private static final long NOT_STARTED = Long.MIN_VALUE;
  private final AtomicLong rolloutStart = new AtomicLong(NOT_STARTED);
  private volatile boolean observing;

  /** The histograms, by the names deltas and results.json give them. */
  Map<String, Histogram> histograms() {
    Map<String, Histogram> named = new java.util.LinkedHashMap<>();
    named.put("connect", connect);
    named.put("handshake", handshake);
    named.put("received", received);
    named.put("applied", applied);
    named.put("recorded", recorded);
    return named;
  }

  /** Adds what a worker's agents went through since its last delta. */
  void add(TimelineDelta delta) {
    connected.add(delta.connected());
    reconnected.add(delta.reconnected());
    receivedCount.add(delta.received());
    appliedCount.add(delta.applied());
    failedCount.add(delta.failed());
    Map<String, Histogram> named = histograms();
    delta.histograms().forEach((name, text) -> {
      Histogram histogram = named.get(name);
      if (histogram == null) {
        throw new LoadtestException("a worker sent a histogram this version does not know: " + name);
      }
      histogram.add(HistogramText.decode(text));
    });
    if (delta.firstConnectMicros() != 0) {
      firstConnect.accumulateAndGet(WallClock.toNanoTime(delta.firstConnectMicros()), Math::min);
      lastConnect.accumulateAndGet(WallClock.toNanoTime(delta.lastConnectMicros()), Math::max);
    }
    add(receivedPerTick, delta.receivedPerTick());
    add(appliedPerTick, delta.appliedPerTick());
    add(failedPerTick, delta.failedPerTick());
    delta.errors().forEach((kind, count) -> errors.computeIfAbsent(kind, k -> new LongAdder()).add(count));
  }

  private static void add(AtomicLongArray series, Map<Integer, Long> increments) {
    increments.forEach((tick, count) -> series.addAndGet(Math.min(TICKS - 1, Math.max(0, tick)), count));
  }

  /** The first and last connection, in epoch microseconds; zeros when none connected. */
  long[] connectSpanMicros() {
    return connected.sum() == 0 ? new long[] {0, 0}
        : new long[] {WallClock.toEpochMicros(firstConnect.get()), WallClock.toEpochMicros(lastConnect.get())};
  }

  /** From now on the first config any agent receives marks the rollout's start. */
  void observe() {
    observing = true;
  }

  @Override
  public void connected(long nanos) {
    connected.increment();
    connect.recordValue(Math.max(1, nanos / 1_000));
    long now = System.nanoTime();
    firstConnect.accumulateAndGet(now, Math::min);
    lastConnect.accumulateAndGet(now, Math::max);
  }

  @Override
  public void reconnected() {
    reconnected.increment();
  }

  @Override
  public void handshake(long nanos) {
    handshake.recordValue(Math.max(1, nanos / 1_000));
  }

  /** Connections completed per second, from the first to the last. */
  double connectRate() {
    long span = lastConnect.get() - firstConnect.get();
    return span <= 0 ? connected.sum() : connected.sum() / (span / 1e9);
  }

  void rolloutStarts(long nanoTime) {
    rolloutStart.set(nanoTime);
  }

  @Override
  public void received(long nanoTime) {
    receivedCount.increment();
    if (observing) {
      // Someone else starts the rollout: it starts, as far as the agents can tell, with its first config.
      rolloutStart.compareAndSet(NOT_STARTED, nanoTime);
    }
    long start = rolloutStart.get();
    if (start != NOT_STARTED) {
      received.recordValue(Math.max(1, (nanoTime - start) / 1_000));
      receivedPerTick.incrementAndGet(tick(nanoTime - start));
    }
  }

  @Override
  public void applied(long nanoTime, boolean failed) {
    (failed ? failedCount : appliedCount).increment();
    long start = rolloutStart.get();
    if (start != NOT_STARTED) {
      if (!failed) {
        applied.recordValue(Math.max(1, (nanoTime - start) / 1_000));
      }
      (failed ? failedPerTick : appliedPerTick).incrementAndGet(tick(nanoTime - start));
    }
  }

  /** {@code count} more agents' APPLIED the server shows recorded, seen at {@code nanoTime}. */
  void recorded(long count, long nanoTime) {
    long start = rolloutStart.get();
    if (start != NOT_STARTED && count > 0) {
      recorded.recordValueWithCount(Math.max(1, (nanoTime - start) / 1_000), count);
    }
  }

  private static int tick(long nanosSinceStart) {
    return (int) Math.min(TICKS - 1, Math.max(0, nanosSinceStart / 1_000_000 / TICK_MILLIS));
  }

  /** How many ticks the series need to show everything they counted. */
  static int length(AtomicLongArray... series) {
    int last = 0;
    for (AtomicLongArray array : series) {
      for (int i = 0; i < array.length(); i++) {
        if (array.get(i) > 0) {
          last = Math.max(last, i + 1);
        }
      }
    }
    return last;
  }

  static long[] copy(AtomicLongArray array, int length) {
    long[] values = new long[length];
    for (int i = 0; i < length; i++) {
      values[i] = array.get(i);
    }
    return values;
  }

  /** Something that happened to the rollout (a wave began, it rolled back), at seconds since its start. */
  record Mark(double seconds, String label) {}

  final java.util.List<Mark> marks = new java.util.concurrent.CopyOnWriteArrayList<>();

  void mark(String label) {
    long start = rolloutStart.get();
    if (start != NOT_STARTED) {
      marks.add(new Mark((System.nanoTime() - start) / 1e9, label));
    }
  }

  @Override
  public void error(Throwable cause) {
    error(kind(cause));
  }

  @Override
  public void error(String kind) {
    errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
  }

  Map<String, Long> errors() {
    Map<String, Long> counts = new TreeMap<>();
    errors.forEach((kind, count) -> counts.put(kind, count.sum()));
    return counts;
  }

  private static final java.util.regex.Pattern STATUS =
      java.util.regex.Pattern.compile("(?:HTTP |getStatus: |status: )(\\d{3})");

  /** Errors by kind: refused connections, the HTTP status a server refused with, timeouts. */
  static String kind(Throwable cause) {
    String text = String.valueOf(cause.getMessage());
    java.util.regex.Matcher status = STATUS.matcher(text);
    if (status.find()) {
      return "HTTP " + status.group(1);
    }
    if (text.contains("Connection refused")) {
      return "refused";
    }
    if (cause instanceof java.util.concurrent.TimeoutException || text.toLowerCase().contains("timed out")
        || text.contains("did not answer")) {
      return "timeout";
    }
    return cause.getClass().getSimpleName();
  }
}

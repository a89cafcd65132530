package io.opampfleet.server.internal.telemetry;

import io.opampfleet.server.internal.telemetry.OwnMetricsReading.ComponentTotals;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One agent's own figures over a window: a fixed number of samples in columns of floats (about 40
 * bytes a sample), each the rates between two readings, and the components' latest totals. A
 * reading that comes before the next sample is due replaces the last sample, so however often an
 * agent sends, its memory stays the same.
 */
public final class AgentTelemetry {
  /** How far back refused or failed items make an agent "dropping data". */
  static final long DROPPING_LOOKBACK_MILLIS = 5 * 60_000;
  /** A queue this full is "filling". */
  static final double QUEUE_FILLING = 0.8;

  private static final byte FORMAT = 1;

  private final long sampleMillis;
  private final long[] at;
  private final float[] cpuPercent;
  private final float[] rssBytes;
  private final float[] acceptedPerSecond;
  private final float[] refusedPerSecond;
  private final float[] sentPerSecond;
  private final float[] failedPerSecond;
  private final float[] queueSize;
  private final float[] queueCapacity;
  private int next;
  private int count;
  private OwnMetricsReading last;
  private long lastAt;

  AgentTelemetry(int samples, long windowMillis) {
    this.sampleMillis = Math.max(1, windowMillis / samples);
    at = new long[samples];
    cpuPercent = new float[samples];
    rssBytes = new float[samples];
    acceptedPerSecond = new float[samples];
    refusedPerSecond = new float[samples];
    sentPerSecond = new float[samples];
    failedPerSecond = new float[samples];
    queueSize = new float[samples];
    queueCapacity = new float[samples];
  }

  /** One sample: rates over the time since the reading before it (NaN for the first after a start). */
  public record Sample(long at, double cpuPercent, double rssBytes, double acceptedPerSecond, double refusedPerSecond,
      double sentPerSecond, double failedPerSecond, double queueSize, double queueCapacity) {}

  /** The latest figures and flags, for fleet lists. */
  public record Summary(long at, double cpuPercent, double rssBytes, double acceptedPerSecond, double sentPerSecond,
      boolean dropping, boolean queueFilling) {}

  /** Everything kept for the agent. */
  public record View(Summary summary, List<Sample> samples, Map<String, ComponentTotals> receivers,
      Map<String, ComponentTotals> exporters) {
    /** An agent that has sent nothing yet. */
    public static final View NONE = new View(null, List.of(), Map.of(), Map.of());
  }

  synchronized void record(OwnMetricsReading reading, long now) {
    Sample sample = sample(reading, now);
    last = reading;
    lastAt = now;
    // Samples belong to fixed slots of the clock, so that readings a little less than a slot apart
    // still advance the window; within a slot the latest wins, but refused and failed items stay.
    boolean sameSlot = count > 0 && now / sampleMillis == at[previous()] / sampleMillis;
    int slot;
    float refusedBefore = 0;
    float failedBefore = 0;
    if (sameSlot) {
      slot = previous();
      refusedBefore = refusedPerSecond[slot];
      failedBefore = failedPerSecond[slot];
    } else {
      slot = next;
      next = (next + 1) % at.length;
      count = Math.min(count + 1, at.length);
    }
    at[slot] = sample.at();
    cpuPercent[slot] = (float) sample.cpuPercent();
    rssBytes[slot] = (float) sample.rssBytes();
    acceptedPerSecond[slot] = (float) sample.acceptedPerSecond();
    refusedPerSecond[slot] = larger(refusedBefore, (float) sample.refusedPerSecond());
    sentPerSecond[slot] = (float) sample.sentPerSecond();
    failedPerSecond[slot] = larger(failedBefore, (float) sample.failedPerSecond());
    queueSize[slot] = (float) sample.queueSize();
    queueCapacity[slot] = (float) sample.queueCapacity();
  }

  /** The larger of two rates where either may be unknown (NaN, a first reading): Math.max would keep the NaN. */
  private static float larger(float before, float now) {
    return Float.isNaN(before) ? now : Float.isNaN(now) ? before : Math.max(before, now);
  }

  synchronized Summary summary(long now) {
    if (count == 0) {
      return null;
    }
    int latest = previous();
    boolean filling = last.exporters().values().stream()
        .anyMatch(e -> e.queueCapacity() > 0 && e.queueSize() >= QUEUE_FILLING * e.queueCapacity());
    return new Summary(at[latest], cpuPercent[latest], rssBytes[latest], acceptedPerSecond[latest],
        sentPerSecond[latest], now < droppingUntil(), filling);
  }

  /** Whether nothing has been kept yet (a first request was refused after the agent was met). */
  synchronized boolean empty() {
    return count == 0;
  }

  synchronized View view(long now) {
    List<Sample> samples = new ArrayList<>(count);
    for (int i = count - 1; i >= 0; i--) {
      int slot = (next - 1 - i + 2 * at.length) % at.length;
      samples.add(new Sample(at[slot], cpuPercent[slot], rssBytes[slot], acceptedPerSecond[slot],
          refusedPerSecond[slot], sentPerSecond[slot], failedPerSecond[slot], queueSize[slot], queueCapacity[slot]));
    }
    return new View(summary(now), samples, last == null ? Map.of() : last.receivers(),
        last == null ? Map.of() : last.exporters());
  }

  /** Whether nothing was received for the agent for {@code millis}. */
  synchronized boolean idleSince(long now, long millis) {
    return now - lastAt > millis;
  }

  /**
   * Five minutes after the last sample with refused or failed items (0 when none): until then the
   * agent is dropping data.
   */
  synchronized long droppingUntil() {
    for (int i = 0; i < count; i++) {
      int slot = (previous() - i + at.length) % at.length;
      if (refusedPerSecond[slot] > 0 || failedPerSecond[slot] > 0) {
        return at[slot] + DROPPING_LOOKBACK_MILLIS;
      }
    }
    return 0;
  }

  /** Everything kept, as bytes for the shared store; {@link #decode} makes it again. */
  synchronized byte[] encode() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + count * 40);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(FORMAT);
      out.writeInt(at.length);
      out.writeLong(sampleMillis);
      out.writeInt(count);
      for (int i = count - 1; i >= 0; i--) {
        int slot = (previous() - i + at.length) % at.length;
        out.writeLong(at[slot]);
        for (float[] column : columns()) {
          out.writeFloat(column[slot]);
        }
      }
      out.writeLong(lastAt);
      out.writeBoolean(last != null);
      if (last != null) {
        out.writeDouble(last.cpuSeconds());
        out.writeDouble(last.rssBytes());
        out.writeDouble(last.uptimeSeconds());
        writeComponents(out, last.receivers());
        writeComponents(out, last.exporters());
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What {@link #encode} wrote; its samples' share of the window is the one it was written with. */
  static AgentTelemetry decode(byte[] encoded) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded));
      if (in.readByte() != FORMAT) {
        throw new IOException("not a window this server wrote");
      }
      int capacity = in.readInt();
      long sampleMillis = in.readLong();
      AgentTelemetry telemetry = new AgentTelemetry(capacity, sampleMillis * capacity);
      int count = in.readInt();
      for (int slot = 0; slot < count; slot++) {
        telemetry.at[slot] = in.readLong();
        for (float[] column : telemetry.columns()) {
          column[slot] = in.readFloat();
        }
      }
      telemetry.count = count;
      telemetry.next = count % capacity;
      telemetry.lastAt = in.readLong();
      if (in.readBoolean()) {
        telemetry.last = new OwnMetricsReading(in.readDouble(), in.readDouble(), in.readDouble(), readComponents(in),
            readComponents(in));
      }
      return telemetry;
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("an agent's stored window cannot be read: " + e.getMessage(), e);
    }
  }

  private float[][] columns() {
    return new float[][] {cpuPercent, rssBytes, acceptedPerSecond, refusedPerSecond, sentPerSecond, failedPerSecond,
        queueSize, queueCapacity};
  }

  private static void writeComponents(DataOutputStream out, Map<String, ComponentTotals> components)
      throws IOException {
    out.writeInt(components.size());
    for (Map.Entry<String, ComponentTotals> component : components.entrySet()) {
      out.writeUTF(component.getKey());
      out.writeDouble(component.getValue().good());
      out.writeDouble(component.getValue().bad());
      out.writeDouble(component.getValue().queueSize());
      out.writeDouble(component.getValue().queueCapacity());
    }
  }

  private static Map<String, ComponentTotals> readComponents(DataInputStream in) throws IOException {
    int size = in.readInt();
    if (size < 0 || size > OwnMetricsReading.MAX_COMPONENTS) {
      throw new IOException(size + " components");
    }
    Map<String, ComponentTotals> components = new TreeMap<>();
    for (int i = 0; i < size; i++) {
      components.put(in.readUTF(), new ComponentTotals(in.readDouble(), in.readDouble(), in.readDouble(),
          in.readDouble()));
    }
    return components;
  }

  private int previous() {
    return (next - 1 + at.length) % at.length;
  }

  private Sample sample(OwnMetricsReading reading, long now) {
    double seconds = elapsedSeconds(reading, now);
    ComponentTotals exported = sum(reading.exporters());
    if (last == null) {
      return new Sample(now, Double.NaN, reading.rssBytes(), Double.NaN, Double.NaN, Double.NaN, Double.NaN,
          exported.queueSize(), exported.queueCapacity());
    }
    // A collector whose uptime went back restarted: its totals count from zero, even where they are
    // already above the last ones.
    boolean restarted = reading.uptimeSeconds() > 0 && reading.uptimeSeconds() < last.uptimeSeconds();
    ComponentTotals received = growth(reading.receivers(), restarted ? Map.of() : last.receivers());
    ComponentTotals sent = growth(reading.exporters(), restarted ? Map.of() : last.exporters());
    double cpu = restarted ? reading.cpuSeconds() : grown(reading.cpuSeconds(), last.cpuSeconds());
    return new Sample(now, 100 * cpu / seconds, reading.rssBytes(),
        received.good() / seconds, received.bad() / seconds, sent.good() / seconds, sent.bad() / seconds,
        exported.queueSize(), exported.queueCapacity());
  }

  /** How much each component's totals grew since the last reading, summed; a new component grew from zero. */
  private static ComponentTotals growth(Map<String, ComponentTotals> now, Map<String, ComponentTotals> before) {
    double good = 0;
    double bad = 0;
    for (Map.Entry<String, ComponentTotals> component : now.entrySet()) {
      ComponentTotals earlier = before.getOrDefault(component.getKey(), new ComponentTotals(0, 0, 0, 0));
      good += grown(component.getValue().good(), earlier.good());
      bad += grown(component.getValue().bad(), earlier.bad());
    }
    return new ComponentTotals(good, bad, 0, 0);
  }

  /** Seconds between the last reading and this one: by the collector's uptime when it has one and did not restart. */
  private double elapsedSeconds(OwnMetricsReading reading, long now) {
    if (last == null) {
      return Double.NaN;
    }
    double byUptime = reading.uptimeSeconds() - last.uptimeSeconds();
    if (byUptime > 0) {
      return byUptime;
    }
    if (reading.uptimeSeconds() > 0 && reading.uptimeSeconds() < last.uptimeSeconds()) {
      return reading.uptimeSeconds();
    }
    return Math.max(0.001, (now - lastAt) / 1000.0);
  }

  /** How much a cumulative total grew; a total below the last one counts from zero (the collector restarted). */
  private static double grown(double total, double before) {
    if (Double.isNaN(total) || Double.isNaN(before)) {
      return Double.NaN;
    }
    return total >= before ? total - before : total;
  }

  private static ComponentTotals sum(Map<String, ComponentTotals> components) {
    ComponentTotals sum = new ComponentTotals(0, 0, 0, 0);
    for (ComponentTotals totals : components.values()) {
      sum = sum.plus(totals);
    }
    return sum;
  }
}

package io.opampfleet.server.internal.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The server's figures in the Prometheus text format: counters kept here, and gauges read from
 * the parts that own them when scraped.
 */
public final class FleetMetrics {
  private record Family(String name, String type, String help, Supplier<Map<String, Double>> samples) {}

  private final LongAdder messages = new LongAdder();
  private final List<Family> families = new ArrayList<>();

  public FleetMetrics() {
    counter("opamp_messages_received_total", "AgentToServer messages received", () -> (double) messages.sum());
  }

  public void messageReceived() {
    messages.increment();
  }

  public synchronized void gauge(String name, String help, Supplier<Number> value) {
    families.add(new Family(name, "gauge", help, () -> Map.of("", value.get().doubleValue())));
  }

  public synchronized void counter(String name, String help, Supplier<Number> value) {
    families.add(new Family(name, "counter", help, () -> Map.of("", value.get().doubleValue())));
  }

  /** A gauge with one sample per label set, written as {@code key="value",...}. */
  public synchronized void labelledGauge(String name, String help, Supplier<Map<String, Double>> samples) {
    families.add(new Family(name, "gauge", help, samples));
  }

  /** A counter with one sample per label set, written as {@code key="value",...}. */
  public synchronized void labelledCounter(String name, String help, Supplier<Map<String, Double>> samples) {
    families.add(new Family(name, "counter", help, samples));
  }

  public synchronized String scrape() {
    StringBuilder out = new StringBuilder();
    for (Family family : families) {
      Map<String, Double> samples;
      try {
        samples = family.samples.get();
      } catch (RuntimeException unreadable) {
        // A figure read from the store while it is away: left out of this scrape, so the rest answer.
        continue;
      }
      out.append("# HELP ").append(family.name).append(' ').append(family.help).append('\n');
      out.append("# TYPE ").append(family.name).append(' ').append(family.type).append('\n');
      samples.forEach((labels, value) -> {
        out.append(family.name);
        if (!labels.isEmpty()) {
          out.append('{').append(labels).append('}');
        }
        out.append(' ').append(format(value)).append('\n');
      });
    }
    return out.toString();
  }

  private static String format(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
  }
}

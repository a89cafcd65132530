package io.opampfleet.api;

import java.util.List;

/**
 * An agent's own figures: the latest, the window of samples, and each receiver's and exporter's
 * totals. A figure not known yet is null; so are the queue figures of a component without a queue.
 */
public record AgentTelemetry(AgentTelemetrySummary latest, List<Sample> samples, List<Receiver> receivers,
    List<Exporter> exporters) {

  /** One sample of the window; {@code at} in epoch milliseconds, rates a second. */
  public record Sample(long at, Double cpuPercent, Double rssBytes, Double acceptedPerSecond,
      Double refusedPerSecond, Double sentPerSecond, Double failedPerSecond, Double queueSize,
      Double queueCapacity) {}

  /** A receiver's items accepted and refused so far. */
  public record Receiver(String name, double accepted, double refused, Double queueSize, Double queueCapacity) {}

  /** An exporter's items sent and failed so far, and its queue. */
  public record Exporter(String name, double sent, double failed, Double queueSize, Double queueCapacity) {}
}

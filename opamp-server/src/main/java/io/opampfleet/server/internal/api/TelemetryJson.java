package io.opampfleet.server.internal.api;

import io.opampfleet.api.AgentTelemetrySummary;
import io.opampfleet.server.internal.inventory.AgentSnapshot;
import io.opampfleet.server.internal.telemetry.AgentTelemetry;
import io.opampfleet.server.internal.telemetry.OwnMetricsReading.ComponentTotals;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/** Agents' own figures in the API: a summary on each fleet row, the window on the agent's own call, filters and sorts. */
final class TelemetryJson {
  private TelemetryJson() {}

  static AgentTelemetrySummary summary(AgentTelemetry.Summary summary) {
    return new AgentTelemetrySummary(summary.at(), number(summary.cpuPercent()), number(summary.rssBytes()),
        number(summary.acceptedPerSecond()), number(summary.sentPerSecond()), summary.dropping(),
        summary.queueFilling());
  }

  static io.opampfleet.api.AgentTelemetry view(AgentTelemetry.View view) {
    return new io.opampfleet.api.AgentTelemetry(view.summary() == null ? null : summary(view.summary()),
        view.samples().stream().map(TelemetryJson::sample).toList(),
        view.receivers().entrySet().stream().map(entry -> new io.opampfleet.api.AgentTelemetry.Receiver(
            entry.getKey(), entry.getValue().good(), entry.getValue().bad(), queueSize(entry.getValue()),
            queueCapacity(entry.getValue()))).toList(),
        view.exporters().entrySet().stream().map(entry -> new io.opampfleet.api.AgentTelemetry.Exporter(
            entry.getKey(), entry.getValue().good(), entry.getValue().bad(), queueSize(entry.getValue()),
            queueCapacity(entry.getValue()))).toList());
  }

  /** {@code telemetry=reporting|dropping|queue-filling}: agents with figures, those dropping data, those whose queues fill. */
  static Predicate<AgentSnapshot> filter(ApiRequest request, Function<AgentSnapshot, AgentTelemetry.Summary> figures) {
    String wanted = request.query("telemetry", null);
    if (wanted == null) {
      return agent -> true;
    }
    Predicate<AgentTelemetry.Summary> test = switch (wanted) {
      case "reporting" -> summary -> true;
      case "dropping" -> AgentTelemetry.Summary::dropping;
      case "queue-filling" -> AgentTelemetry.Summary::queueFilling;
      default -> throw ApiException.badRequest("telemetry must be 'reporting', 'dropping' or 'queue-filling', not '"
          + wanted + "'");
    };
    return agent -> {
      AgentTelemetry.Summary summary = figures.apply(agent);
      return summary != null && test.test(summary);
    };
  }

  /** {@code cpu}, {@code memory} or {@code throughput}; agents without figures come last either way. */
  static Optional<Comparator<AgentSnapshot>> order(String key, Function<AgentSnapshot, AgentTelemetry.Summary> figures,
      boolean descending) {
    ToDoubleFunction<AgentTelemetry.Summary> figure = switch (key) {
      case "cpu" -> AgentTelemetry.Summary::cpuPercent;
      case "memory" -> AgentTelemetry.Summary::rssBytes;
      case "throughput" -> AgentTelemetry.Summary::acceptedPerSecond;
      default -> null;
    };
    if (figure == null) {
      return Optional.empty();
    }
    Comparator<Double> values = descending ? Comparator.reverseOrder() : Comparator.naturalOrder();
    return Optional.of(Comparator.comparing((AgentSnapshot agent) -> {
      AgentTelemetry.Summary summary = figures.apply(agent);
      double value = summary == null ? Double.NaN : figure.applyAsDouble(summary);
      return Double.isNaN(value) ? null : value;
    }, Comparator.nullsLast(values)));
  }

  private static io.opampfleet.api.AgentTelemetry.Sample sample(AgentTelemetry.Sample sample) {
    return new io.opampfleet.api.AgentTelemetry.Sample(sample.at(), number(sample.cpuPercent()),
        number(sample.rssBytes()), number(sample.acceptedPerSecond()), number(sample.refusedPerSecond()),
        number(sample.sentPerSecond()), number(sample.failedPerSecond()), number(sample.queueSize()),
        number(sample.queueCapacity()));
  }

  /** A component's queue figures: only for one with a queue. */
  private static Double queueSize(ComponentTotals totals) {
    return totals.queueCapacity() > 0 ? (Double) totals.queueSize() : null;
  }

  private static Double queueCapacity(ComponentTotals totals) {
    return totals.queueCapacity() > 0 ? (Double) totals.queueCapacity() : null;
  }

  /** JSON has no NaN: a figure not known yet is null. */
  private static Double number(double value) {
    return Double.isFinite(value) ? value : null;
  }
}

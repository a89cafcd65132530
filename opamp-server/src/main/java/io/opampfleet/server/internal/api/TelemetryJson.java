package io.opampfleet.server.internal.api;

import io.opampfleet.api.AgentTelemetrySummary;
import io.opampfleet.server.internal.inventory.AgentSnapshot;
import io.opampfleet.server.internal.telemetry.AgentTelemetry;
import io.opampfleet.server.internal.telemetry.OwnMetricsReading.ComponentTotals;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  static Map<String, Object> view(AgentTelemetry.View view) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("latest", view.summary() == null ? null : summary(view.summary()));
    json.put("samples", view.samples().stream().map(TelemetryJson::sample).toList());
    json.put("receivers", components(view.receivers(), "accepted", "refused"));
    json.put("exporters", components(view.exporters(), "sent", "failed"));
    return json;
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

  private static Map<String, Object> sample(AgentTelemetry.Sample sample) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("at", sample.at());
    json.put("cpuPercent", number(sample.cpuPercent()));
    json.put("rssBytes", number(sample.rssBytes()));
    json.put("acceptedPerSecond", number(sample.acceptedPerSecond()));
    json.put("refusedPerSecond", number(sample.refusedPerSecond()));
    json.put("sentPerSecond", number(sample.sentPerSecond()));
    json.put("failedPerSecond", number(sample.failedPerSecond()));
    json.put("queueSize", number(sample.queueSize()));
    json.put("queueCapacity", number(sample.queueCapacity()));
    return json;
  }

  private static List<Map<String, Object>> components(Map<String, ComponentTotals> components, String good,
      String bad) {
    return components.entrySet().stream().map(entry -> {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("name", entry.getKey());
      json.put(good, entry.getValue().good());
      json.put(bad, entry.getValue().bad());
      if (entry.getValue().queueCapacity() > 0) {
        json.put("queueSize", entry.getValue().queueSize());
        json.put("queueCapacity", entry.getValue().queueCapacity());
      }
      return json;
    }).toList();
  }

  /** JSON has no NaN: a figure not known yet is null. */
  private static Double number(double value) {
    return Double.isFinite(value) ? value : null;
  }
}

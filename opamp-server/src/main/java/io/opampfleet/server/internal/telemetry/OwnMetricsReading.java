package io.opampfleet.server.internal.telemetry;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The figures operators ask for, read from one OTLP request of a collector's own metrics (its
 * {@code otelcol_*} names): process CPU seconds, resident memory, uptime, and per component the
 * items accepted and refused (receivers) or sent and failed (exporters) with the exporters' queues.
 * Counters are the collector's cumulative totals. Everything else in the request is ignored.
 *
 * @param cpuSeconds NaN when not reported, as for the other process figures
 */
public record OwnMetricsReading(double cpuSeconds, double rssBytes, double uptimeSeconds,
    Map<String, ComponentTotals> receivers, Map<String, ComponentTotals> exporters) {
  /** Components kept per agent, and the length of their names: a sender may name any number. */
  static final int MAX_COMPONENTS = 64;
  static final int MAX_NAME = 128;
  /** Far past any collector's count or bytes (a million items a second for thirty years is 1e15). */
  static final double MAX_FIGURE = 1e18;

  /**
   * One component's cumulative totals: for a receiver accepted and refused items, for an exporter
   * sent and failed ones, with its queue's size and capacity (zero when it has no queue).
   */
  public record ComponentTotals(double good, double bad, double queueSize, double queueCapacity) {
    ComponentTotals plus(ComponentTotals other) {
      return new ComponentTotals(good + other.good, bad + other.bad, queueSize + other.queueSize,
          queueCapacity + other.queueCapacity);
    }
  }

  private enum Figure { GOOD, BAD, QUEUE_SIZE, QUEUE_CAPACITY }

  public static OwnMetricsReading of(ExportMetricsServiceRequest request) {
    double[] process = {Double.NaN, Double.NaN, Double.NaN};
    Map<String, ComponentTotals> receivers = new TreeMap<>();
    Map<String, ComponentTotals> exporters = new TreeMap<>();
    for (ResourceMetrics resource : request.getResourceMetricsList()) {
      for (ScopeMetrics scope : resource.getScopeMetricsList()) {
        for (Metric metric : scope.getMetricsList()) {
          read(metric, process, receivers, exporters);
        }
      }
    }
    return new OwnMetricsReading(process[0], process[1], process[2], receivers, exporters);
  }

  /** Whether the request held none of the figures: not a collector's own metrics. */
  public boolean empty() {
    return Double.isNaN(cpuSeconds) && Double.isNaN(rssBytes) && Double.isNaN(uptimeSeconds) && receivers.isEmpty()
        && exporters.isEmpty();
  }

  private static void read(Metric metric, double[] process, Map<String, ComponentTotals> receivers,
      Map<String, ComponentTotals> exporters) {
    String name = plainName(metric.getName());
    List<NumberDataPoint> points = metric.hasSum() ? metric.getSum().getDataPointsList()
        : metric.hasGauge() ? metric.getGauge().getDataPointsList() : List.of();
    switch (name) {
      case "process_cpu_seconds" -> process[0] = total(points);
      case "process_memory_rss" -> process[1] = total(points);
      case "process_uptime" -> process[2] = total(points);
      default -> {
        if (name.startsWith("receiver_accepted_")) {
          add(receivers, points, "receiver", Figure.GOOD);
        } else if (name.startsWith("receiver_refused_") || name.startsWith("receiver_failed_")) {
          add(receivers, points, "receiver", Figure.BAD);
        } else if (name.startsWith("exporter_sent_")) {
          add(exporters, points, "exporter", Figure.GOOD);
        } else if (name.startsWith("exporter_send_failed_") || name.startsWith("exporter_enqueue_failed_")) {
          add(exporters, points, "exporter", Figure.BAD);
        } else if (name.equals("exporter_queue_size")) {
          add(exporters, points, "exporter", Figure.QUEUE_SIZE);
        } else if (name.equals("exporter_queue_capacity")) {
          add(exporters, points, "exporter", Figure.QUEUE_CAPACITY);
        }
      }
    }
  }

  /** {@code otelcol_process_uptime}, or with a Prometheus-style {@code _total}: the name without both. */
  private static String plainName(String name) {
    String plain = name.startsWith("otelcol_") ? name.substring("otelcol_".length()) : name;
    return plain.endsWith("_total") ? plain.substring(0, plain.length() - "_total".length()) : plain;
  }

  private static double total(List<NumberDataPoint> points) {
    double sum = 0;
    for (NumberDataPoint point : points) {
      sum += value(point);
    }
    return points.isEmpty() ? Double.NaN : sum;
  }

  private static void add(Map<String, ComponentTotals> components, List<NumberDataPoint> points, String attribute,
      Figure figure) {
    for (NumberDataPoint point : points) {
      String component = attribute(point.getAttributesList(), attribute);
      if (component.isEmpty() || component.length() > MAX_NAME
          || (!components.containsKey(component) && components.size() >= MAX_COMPONENTS)) {
        continue;
      }
      double value = value(point);
      ComponentTotals totals = switch (figure) {
        case GOOD -> new ComponentTotals(value, 0, 0, 0);
        case BAD -> new ComponentTotals(0, value, 0, 0);
        case QUEUE_SIZE -> new ComponentTotals(0, 0, value, 0);
        case QUEUE_CAPACITY -> new ComponentTotals(0, 0, 0, value);
      };
      components.merge(component, totals, ComponentTotals::plus);
    }
  }

  private static double value(NumberDataPoint point) {
    double value = point.hasAsInt() ? point.getAsInt() : point.getAsDouble();
    // A sender may write anything: only non-negative figures a collector could reach count, so that the
    // sums of a request's points stay finite (JSON has no Infinity).
    return value >= 0 && value <= MAX_FIGURE ? value : 0;
  }

  private static String attribute(List<KeyValue> attributes, String key) {
    for (KeyValue attribute : attributes) {
      if (attribute.getKey().equals(key)) {
        return attribute.getValue().getStringValue();
      }
    }
    return "";
  }
}

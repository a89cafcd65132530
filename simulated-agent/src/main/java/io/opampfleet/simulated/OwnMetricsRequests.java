package io.opampfleet.simulated;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;

/** OTLP requests of a collector's own metrics, as collectors export them, for simulated agents to send. */
public final class OwnMetricsRequests {
  private OwnMetricsRequests() {}

  /** A collector's own metrics as it exports them: cumulative totals with its components as attributes. */
  public static ExportMetricsServiceRequest reading(double uptime, double cpuSeconds, double rss, long accepted, long refused,
      long sent, long failed, long queueSize, long queueCapacity) {
    ScopeMetrics.Builder scope = ScopeMetrics.newBuilder()
        .addMetrics(sum("otelcol_process_uptime", uptime, null, null))
        .addMetrics(sum("otelcol_process_cpu_seconds", cpuSeconds, null, null))
        .addMetrics(gauge("otelcol_process_memory_rss", rss, null, null))
        .addMetrics(sum("otelcol_receiver_accepted_metric_points", accepted, "receiver", "otlp"))
        .addMetrics(sum("otelcol_receiver_refused_metric_points", refused, "receiver", "otlp"))
        .addMetrics(sum("otelcol_exporter_sent_metric_points", sent, "exporter", "otlp/backend"))
        .addMetrics(sum("otelcol_exporter_send_failed_metric_points", failed, "exporter", "otlp/backend"))
        .addMetrics(gauge("otelcol_exporter_queue_size", queueSize, "exporter", "otlp/backend"))
        .addMetrics(gauge("otelcol_exporter_queue_capacity", queueCapacity, "exporter", "otlp/backend"))
        .addMetrics(gauge("otelcol_process_runtime_heap_alloc_bytes", 5, null, null));
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(ResourceMetrics.newBuilder().addScopeMetrics(scope)).build();
  }

  private static Metric sum(String name, double value, String key, String component) {
    return Metric.newBuilder().setName(name).setSum(Sum.newBuilder().setIsMonotonic(true)
        .addDataPoints(point(value, key, component))).build();
  }

  private static Metric gauge(String name, double value, String key, String component) {
    return Metric.newBuilder().setName(name).setGauge(Gauge.newBuilder().addDataPoints(point(value, key, component)))
        .build();
  }

  private static NumberDataPoint point(double value, String key, String component) {
    NumberDataPoint.Builder point = NumberDataPoint.newBuilder().setAsDouble(value);
    if (key != null) {
      point.addAttributes(KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(component)));
    }
    return point.build();
  }
}

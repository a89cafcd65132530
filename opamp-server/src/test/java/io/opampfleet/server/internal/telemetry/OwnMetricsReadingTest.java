package io.opampfleet.server.internal.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import org.junit.jupiter.api.Test;

class OwnMetricsReadingTest {
  @Test
  void componentsArePerAttributeSummedOverSignalsAndBoundedInNumberAndName() {
    Sum.Builder accepted = Sum.newBuilder()
        .addDataPoints(point(5, "otlp")).addDataPoints(point(Double.NaN, "otlp")).addDataPoints(point(-3, "otlp"))
        .addDataPoints(point(1, "x".repeat(OwnMetricsReading.MAX_NAME + 1)));
    for (int i = 0; i < 100; i++) {
      accepted.addDataPoints(point(1, "r" + i));
    }
    ScopeMetrics scope = ScopeMetrics.newBuilder()
        .addMetrics(Metric.newBuilder().setName("otelcol_receiver_accepted_spans").setSum(accepted))
        .addMetrics(Metric.newBuilder().setName("otelcol_receiver_accepted_log_records_total")
            .setSum(Sum.newBuilder().addDataPoints(point(2, "otlp"))))
        .addMetrics(Metric.newBuilder().setName("otelcol_receiver_refused_spans")
            .setSum(Sum.newBuilder().addDataPoints(point(4, "otlp"))))
        .build();
    OwnMetricsReading reading = OwnMetricsReading.of(ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(ResourceMetrics.newBuilder().addScopeMetrics(scope)).build());

    assertThat(reading.receivers().get("otlp").good()).isEqualTo(7.0);
    assertThat(reading.receivers().get("otlp").bad()).isEqualTo(4.0);
    assertThat(reading.receivers()).hasSize(OwnMetricsReading.MAX_COMPONENTS);
    assertThat(reading.receivers().keySet()).allMatch(name -> name.length() <= OwnMetricsReading.MAX_NAME);
    assertThat(reading.cpuSeconds()).isNaN();
    assertThat(reading.empty()).isFalse();
  }

  @Test
  void hugeFiguresDoNotAddUpToInfinity() {
    Sum.Builder accepted = Sum.newBuilder().addDataPoints(point(Double.MAX_VALUE, "otlp"))
        .addDataPoints(point(Double.MAX_VALUE, "otlp")).addDataPoints(point(Double.POSITIVE_INFINITY, "otlp"));
    OwnMetricsReading reading = OwnMetricsReading.of(ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(ResourceMetrics.newBuilder().addScopeMetrics(ScopeMetrics.newBuilder()
            .addMetrics(Metric.newBuilder().setName("otelcol_receiver_accepted_spans").setSum(accepted))
            .addMetrics(Metric.newBuilder().setName("otelcol_process_cpu_seconds").setSum(Sum.newBuilder()
                .addDataPoints(point(Double.MAX_VALUE, "")).addDataPoints(point(Double.MAX_VALUE, "")))))).build());
    assertThat(reading.receivers().get("otlp").good()).isFinite().isZero();
    assertThat(reading.cpuSeconds()).isFinite();
  }

  @Test
  void aRequestOfOtherMetricsHoldsNoFigures() {
    OwnMetricsReading reading = OwnMetricsReading.of(ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(ResourceMetrics.newBuilder().addScopeMetrics(ScopeMetrics.newBuilder()
            .addMetrics(Metric.newBuilder().setName("http.server.duration")
                .setSum(Sum.newBuilder().addDataPoints(point(1, "otlp")))))).build());
    assertThat(reading.empty()).isTrue();
  }

  private static NumberDataPoint point(double value, String receiver) {
    return NumberDataPoint.newBuilder().setAsDouble(value).addAttributes(KeyValue.newBuilder().setKey("receiver")
        .setValue(AnyValue.newBuilder().setStringValue(receiver))).build();
  }
}

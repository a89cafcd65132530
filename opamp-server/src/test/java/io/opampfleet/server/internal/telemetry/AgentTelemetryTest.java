package io.opampfleet.server.internal.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opampfleet.server.internal.telemetry.OwnMetricsReading.ComponentTotals;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentTelemetryTest {
  private static final long MINUTE = 60_000;

  private static OwnMetricsReading reading(double uptime, double cpu, double accepted, double refused) {
    return new OwnMetricsReading(cpu, 100e6, uptime, Map.of("otlp", new ComponentTotals(accepted, refused, 0, 0)),
        Map.of("otlp/out", new ComponentTotals(accepted, 0, 10, 1000)));
  }

  @Test
  void theWindowKeepsItsNumberOfSamplesHoweverLongTheAgentSends() {
    AgentTelemetry telemetry = new AgentTelemetry(5, 5 * MINUTE);
    for (int i = 0; i < 20; i++) {
      telemetry.record(reading(60.0 * i, i, 100.0 * i, 0), i * MINUTE);
    }

    var samples = telemetry.view(20 * MINUTE).samples();
    assertThat(samples).hasSize(5);
    assertThat(samples).extracting(AgentTelemetry.Sample::at)
        .containsExactly(15 * MINUTE, 16 * MINUTE, 17 * MINUTE, 18 * MINUTE, 19 * MINUTE);
    assertThat(samples.get(4).cpuPercent()).isCloseTo(100.0 / 60, org.assertj.core.data.Offset.offset(1e-4));
    assertThat(samples.get(4).acceptedPerSecond()).isCloseTo(100.0 / 60, org.assertj.core.data.Offset.offset(1e-4));
  }

  @Test
  void aRestartedCollectorsTotalsCountFromZeroNotBackwards() {
    AgentTelemetry telemetry = new AgentTelemetry(10, 10 * MINUTE);
    telemetry.record(reading(600, 30, 6000, 0), 0);
    telemetry.record(reading(10, 1, 50, 0), MINUTE);

    AgentTelemetry.Summary summary = telemetry.summary(MINUTE);
    assertThat(summary.cpuPercent()).isEqualTo(10.0);
    assertThat(summary.acceptedPerSecond()).isEqualTo(5.0);
  }

  @Test
  void aRestartIsKnownByItsUptimeEvenWhenTheNewTotalsAreHigher() {
    AgentTelemetry telemetry = new AgentTelemetry(10, 10 * MINUTE);
    telemetry.record(reading(600, 30, 6000, 0), 0);
    telemetry.record(reading(10, 1, 7000, 0), MINUTE);

    AgentTelemetry.Summary summary = telemetry.summary(MINUTE);
    assertThat(summary.cpuPercent()).isEqualTo(10.0);
    assertThat(summary.acceptedPerSecond()).isEqualTo(700.0);
  }

  @Test
  void refusedItemsMarkTheAgentDroppingForFiveMinutesOnly() {
    AgentTelemetry telemetry = new AgentTelemetry(60, 60 * MINUTE);
    telemetry.record(reading(0, 0, 0, 0), 0);
    telemetry.record(reading(60, 1, 100, 3), MINUTE);
    telemetry.record(reading(120, 2, 200, 3), 2 * MINUTE);

    assertThat(telemetry.summary(2 * MINUTE).dropping()).isTrue();
    telemetry.record(reading(480, 3, 300, 3), 8 * MINUTE);
    assertThat(telemetry.summary(8 * MINUTE).dropping()).isFalse();
  }

  @Test
  void refusedItemsInTheSameSlotAsAFirstReadingStillMarkTheAgentDropping() {
    AgentTelemetry telemetry = new AgentTelemetry(60, 60 * MINUTE);
    telemetry.record(reading(10, 1, 1000, 0), 100);
    telemetry.record(reading(20, 2, 2000, 50), 200);
    telemetry.record(reading(30, 3, 3000, 50), 300);

    assertThat(telemetry.view(300).samples()).hasSize(1);
    assertThat(telemetry.view(300).samples().get(0).refusedPerSecond()).isEqualTo(5.0);
    assertThat(telemetry.summary(300).dropping()).isTrue();
  }

  @Test
  void aQueueAtEightyPercentIsFilling() {
    AgentTelemetry telemetry = new AgentTelemetry(10, 10 * MINUTE);
    telemetry.record(new OwnMetricsReading(1, 1, 1, Map.of(), Map.of("a", new ComponentTotals(0, 0, 799, 1000))), 0);
    assertThat(telemetry.summary(0).queueFilling()).isFalse();
    telemetry.record(new OwnMetricsReading(1, 1, 2, Map.of(), Map.of("a", new ComponentTotals(0, 0, 800, 1000))), 1);
    assertThat(telemetry.summary(1).queueFilling()).isTrue();
  }

  @Test
  void aWindowReadBackFromItsBytesShowsTheSameAndGoesOn() {
    AgentTelemetry telemetry = new AgentTelemetry(3, 3 * MINUTE);
    for (int i = 0; i < 5; i++) {
      telemetry.record(reading(60.0 * i, i, 100.0 * i, i == 4 ? 7 : 0), i * MINUTE);
    }

    AgentTelemetry read = AgentTelemetry.decode(telemetry.encode());

    assertThat(read.view(5 * MINUTE)).isEqualTo(telemetry.view(5 * MINUTE));
    assertThat(read.droppingUntil()).isEqualTo(4 * MINUTE + AgentTelemetry.DROPPING_LOOKBACK_MILLIS);
    read.record(reading(300, 6, 600, 7), 5 * MINUTE);
    assertThat(read.summary(5 * MINUTE).cpuPercent()).isCloseTo(100.0 * 2 / 60, org.assertj.core.data.Offset.offset(1e-4));
    assertThat(read.view(5 * MINUTE).samples()).hasSize(3);
  }
}

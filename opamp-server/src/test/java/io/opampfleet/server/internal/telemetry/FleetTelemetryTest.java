package io.opampfleet.server.internal.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opampfleet.server.internal.telemetry.OwnMetricsReading.ComponentTotals;
import io.opampfleet.server.settings.ServerSettings.OwnTelemetry;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FleetTelemetryTest {
  private static final long MINUTE = 60_000;
  private static final OwnTelemetry TEN_MINUTES = new OwnTelemetry(true, Optional.empty(), Duration.ofMinutes(10), 10,
      1 << 20, 60);

  private static OwnMetricsReading reading(double uptime) {
    return new OwnMetricsReading(uptime / 10, 100e6, uptime, Map.of("otlp", new ComponentTotals(uptime, 0, 0, 0)),
        Map.of());
  }

  @Test
  void anAgentWhoseFiguresLeftTheWindowNoLongerReportsAndIsForgotten() {
    try (FleetTelemetry fleet = new FleetTelemetry(TEN_MINUTES)) {
      fleet.record("gone", reading(60), 0);
      fleet.record("gone", reading(120), MINUTE);
      fleet.record("here", reading(60), 10 * MINUTE);
      fleet.record("here", reading(120), 11 * MINUTE);

      assertThat(fleet.counts(11 * MINUTE).reporting()).isEqualTo(2);
      assertThat(fleet.counts(12 * MINUTE).reporting()).isEqualTo(1);
      assertThat(fleet.summary("gone", 12 * MINUTE)).isEmpty();
      assertThat(fleet.summary("here", 12 * MINUTE)).isPresent();
      assertThat(fleet.view("gone", 12 * MINUTE)).isPresent();

      fleet.forgetOld(12 * MINUTE);
      assertThat(fleet.view("gone", 12 * MINUTE)).isEmpty();
      assertThat(fleet.view("here", 12 * MINUTE)).isPresent();
    }
  }
}

package io.opampfleet.server.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FleetMetricsTest {
  @Test
  void aFigureThatCannotBeReadIsLeftOutAndTheOthersAreStillScraped() {
    FleetMetrics metrics = new FleetMetrics();
    metrics.gauge("opamp_before", "read", () -> 1);
    metrics.labelledGauge("opamp_from_the_store", "the store is away", () -> {
      throw new IllegalStateException("the store is not answering");
    });
    metrics.labelledGauge("opamp_after", "read", () -> Map.of("state=\"RUNNING\"", 2.0));

    String scraped = metrics.scrape();

    assertThat(scraped).contains("opamp_before 1\n", "opamp_after{state=\"RUNNING\"} 2\n")
        .doesNotContain("opamp_from_the_store");
  }
}

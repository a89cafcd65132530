package io.opampfleet.server.internal.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.opampfleet.proto.AgentCapabilities;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.inventory.Reports;
import io.opampfleet.server.settings.ServerSettings.OwnTelemetry;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class OwnTelemetryOffersTest {
  private final Reports reports = new Reports(new Inventory());
  private final OwnTelemetryOffers offers = new OwnTelemetryOffers(
      new OwnTelemetry(true, Optional.empty(), Duration.ofHours(1), 60, 1 << 20, 10),
      () -> "https://fleet.example/v1/metrics", new OwnTelemetryCredentials(new byte[32]));

  @Test
  void anAgentIsOfferedItsSettingsOncePerConnection() {
    Agent agent = reportingOwnMetrics();

    assertThat(offers.due(agent)).hasValueSatisfying(offer -> assertThat(offer.getOwnMetrics()
        .getDestinationEndpoint()).isEqualTo("https://fleet.example/v1/metrics"));
    assertThat(offers.due(agent)).isEmpty();
    offers.connected(agent);
    assertThat(offers.due(agent)).isPresent();
  }

  @Test
  void agentsTheServerForgetsAreNotKeptByTheirOffers() {
    for (int i = 0; i < 10_000; i++) {
      assertThat(offers.due(reportingOwnMetrics())).isPresent();
    }

    await().atMost(Duration.ofSeconds(20)).until(() -> {
      System.gc();
      return offers.held() == 0;
    });
  }

  private Agent reportingOwnMetrics() {
    String uid = UUID.randomUUID().toString();
    Agent agent = new Agent(uid);
    reports.apply(agent, AgentToServer.newBuilder().setInstanceUid(ByteString.copyFromUtf8(uid))
        .setCapabilities(AgentCapabilities.AgentCapabilities_ReportsOwnMetrics_VALUE
            | AgentCapabilities.AgentCapabilities_ReportsStatus_VALUE).build(), "", 1);
    return agent;
  }
}

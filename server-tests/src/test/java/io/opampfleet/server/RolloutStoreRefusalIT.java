package io.opampfleet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.peers.PostgresContainer;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.RolloutSteps;
import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.simulated.SimulatedAgent;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store that refuses a rollout's progress for good, on a real PostgreSQL that an operator's
 * constraint makes refuse it: the rollout ends FAILED with the store's reason after its tries, and
 * another rollout over other agents keeps moving all along.
 */
class RolloutStoreRefusalIT {
  private static final String CONFIG = "receivers:\n  otlp:\nexporters:\n  debug:\nservice:\n  pipelines:\n"
      + "    traces:\n      receivers: [otlp]\n      exporters: [debug]\n";

  @TempDir
  Path dir;
  private final PostgresContainer postgres = new PostgresContainer();
  private TestFleet fleet;
  private final List<SimulatedAgent> agents = new ArrayList<>();

  @AfterEach
  void stop() {
    agents.forEach(SimulatedAgent::close);
    if (fleet != null) {
      fleet.close();
    }
    postgres.stop();
  }

  @Test
  void aRolloutWhoseStateTheStoreRefusesEndsFailedWithTheReasonWhileAnotherMovesOn() throws Exception {
    postgres.start();
    fleet = new TestFleet(dir, Optional.of(postgres.jdbcUrl())).start();
    AdminClient operator = fleet.admin(TestFleet.OPERATOR);
    RolloutSteps rollouts = new RolloutSteps(operator);
    for (String team : List.of("blue", "green")) {
      agents.add(fleet.agent(Map.of("service.name", team, "team", team), SimulatedAgent.newUid(), false).start());
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> operator.get("/api/v1/agents?connected=true").body()
        .get("total").asInt() == 2);
    rollouts.version("pipeline", CONFIG);
    try (Connection sql = DriverManager.getConnection(postgres.jdbcUrl(), postgres.username(), postgres.password());
         Statement statement = sql.createStatement()) {
      statement.execute("ALTER TABLE rollouts ADD CONSTRAINT blue_may_not_succeed"
          + " CHECK (NOT (selector = 'team=blue' AND state = 'SUCCEEDED'))");
    }

    long blue = rollouts.start(Map.of("selector", "team=blue", "config", "pipeline", "version", 1,
        "applyTimeout", "20s")).get("id").asLong();
    JsonNode green = rollouts.awaitEnd(rollouts.start(Map.of("selector", "team=green", "config", "pipeline",
        "version", 1, "bake", "2s", "applyTimeout", "20s")).get("id").asLong());
    assertThat(green.get("state").asText()).isEqualTo("SUCCEEDED");
    await().atMost(Duration.ofSeconds(60)).until(() -> operator.get("/api/v1/rollouts/" + blue).body()
        .get("state").asText().equals("FAILED"));
    assertThat(operator.get("/api/v1/rollouts/" + blue).body().get("reason").asText())
        .startsWith("the store refused the rollout's progress 5 times: ").contains("blue_may_not_succeed");
  }
}

package io.opampfleet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opampfleet.peers.PostgresContainer;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.simulated.SimulatedAgent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server whose PostgreSQL stops answering says it is not ready (quickly, without the store),
 * answers no poll it cannot store, and recovers when the store is back.
 */
class StoreOutageIT {
  private final PostgresContainer postgres = new PostgresContainer();
  @TempDir
  Path dir;
  private TestFleet fleet;

  @BeforeEach
  void start() {
    postgres.start();
    fleet = new TestFleet(dir, Optional.of(postgres.jdbcUrl())).start();
  }

  @AfterEach
  void stop() {
    fleet.close();
    postgres.stop();
  }

  @Test
  void whileTheStoreIsAwayTheServerIsNotReadyAndAcknowledgesNothingThenRecovers() {
    AdminClient anonymous = fleet.admin(null);
    await().atMost(Duration.ofSeconds(10)).until(() -> anonymous.get("/readyz").status() == 200);

    postgres.getDockerClient().pauseContainerCmd(postgres.getContainerId()).exec();
    await().atMost(Duration.ofSeconds(15)).until(() -> anonymous.get("/readyz").status() == 503);
    long asked = System.nanoTime();
    assertThat(anonymous.get("/readyz").body().get("status").asText()).contains("store is not answering");
    assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(2));
    SimulatedAgent agent = fleet.agent(Map.of("service.name", "during-outage"), SimulatedAgent.newUid(), false);
    agent.start();
    await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);
    // Nothing it said is stored yet, so nothing is acknowledged.
    assertThat(agent.received).as("answers during the outage").isEmpty();

    postgres.getDockerClient().unpauseContainerCmd(postgres.getContainerId()).exec();
    await().atMost(Duration.ofSeconds(30)).until(() -> anonymous.get("/readyz").status() == 200);

    // What the agent said during the outage was stored once the store came back: a restart finds it.
    await().atMost(Duration.ofSeconds(30)).until(() -> fleet.admin(TestFleet.VIEWER)
        .get("/api/v1/agents/" + agent.uid()).body().path("connected").asBoolean());
    agent.close();
    fleet.restart();
    assertThat(fleet.admin(TestFleet.VIEWER).get("/api/v1/agents/" + agent.uid()).body()
        .get("labels").toString()).contains("during-outage");
  }
}

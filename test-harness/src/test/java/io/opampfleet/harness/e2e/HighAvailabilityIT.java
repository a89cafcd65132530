package io.opampfleet.harness.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * TLS passed through to the servers (mutual TLS ends there). A rollout started on one server reaches
 * collectors held by the others; the server driving a rollout is killed mid-rollout and another
 * finishes it; its agents move to the others; the database stops for 30 s and the servers go
 * unready, then come back.
 */
class HighAvailabilityIT extends ReplicatedFleetSuite {
  private static final int FLEET_SIZE = 5;

  HighAvailabilityIT() {
    super(FLEET_SIZE, false);
  }

  @Test
  @Order(1)
  void everyServerShowsTheWholeFleetEachAgentOnTheServerHoldingIt() {
    Map<String, String> seenByA = replicas(servers.get("a"));
    assertThat(seenByA).hasSize(FLEET_SIZE).doesNotContainValue("");
    assertThat(new HashSet<>(seenByA.values())).as("the balancer spreads the collectors: " + seenByA).hasSizeGreaterThan(1);
    assertThat(replicas(servers.get("b"))).isEqualTo(seenByA);
    assertThat(replicas(servers.get("c"))).isEqualTo(seenByA);
    JsonNode agent = agent(servers.get("c"), fleet.get(0));
    assertThat(agent.get("remoteAddress").asText()).as("the collector's own address, from the PROXY header")
        .startsWith("/" + addressOf(fleet.get(0)) + ":");
  }

  @Test
  @Order(2)
  void aRolloutStartedOnOneServerReachesCollectorsHeldByTheOthers() {
    FleetServerContainer a = servers.get("a");
    addVersion(a, "ha-pipeline", BODY);
    long id = startRollout(a, "ha-pipeline", 1, "50%,100%", "1s");
    JsonNode ended = awaitEnd(servers.get("b"), id);
    assertThat(ended.get("state").asText()).as(ended.toString()).isEqualTo("SUCCEEDED");
    assertThat(ended.get("counts").get("DONE").asInt()).isEqualTo(FLEET_SIZE);
    for (SupervisedCollectorContainer collector : fleet) {
      JsonNode agent = agent(servers.get("c"), collector);
      assertThat(agent.get("runsDesiredConfig").asBoolean()).as(agent.toString()).isTrue();
    }
  }

  @Test
  @Order(3)
  void whenTheServerDrivingARolloutIsKilledAnotherFinishesItAndItsAgentsMove() {
    FleetServerContainer driver = servers.get("b");
    addVersion(driver, "ha-pipeline", BODY.replace("debug: {}", "debug: {verbosity: basic}"));
    long id = startRollout(driver, "ha-pipeline", 2, "1,2,100%", "8s");
    await().atMost(Duration.ofMinutes(2)).until(() -> rollout(servers.get("a"), id).get("currentWave").asInt() >= 1);

    // The rollout was created on b, so b drives it; and b holds collectors, which must move.
    assertThat(driver.getLogs()).contains("rollout " + id + ": ha-pipeline@2");
    assertThat(replicas(servers.get("a"))).containsValue("b");

    driver.kill();
    long killed = System.nanoTime();
    FleetServerContainer survivor = servers.get("a");
    await().atMost(Duration.ofSeconds(60)).until(() -> servers.get("a").getLogs().contains("taken over from b")
        || servers.get("c").getLogs().contains("taken over from b"));
    long takeover = Duration.ofNanos(System.nanoTime() - killed).toSeconds();
    System.out.printf("e2e: the rollout was taken over %d s after its driver was killed%n", takeover);
    // A lease of 10 s, renewed every 2 s, and a look for rollouts without a driver every second.
    assertThat(takeover).as("takeover within the lease and a few seconds").isLessThanOrEqualTo(20);
    JsonNode ended = awaitEnd(survivor, id);
    System.out.printf("e2e: the rollout ended %d s after its driver was killed%n",
        Duration.ofNanos(System.nanoTime() - killed).toSeconds());
    assertThat(ended.get("state").asText()).as(ended.toString()).isEqualTo("SUCCEEDED");
    for (SupervisedCollectorContainer collector : fleet) {
      JsonNode attempts = survivor.admin().get("/api/v1/agents/" + collector.instanceUid() + "/rollouts").body();
      List<JsonNode> inThisOne = new ArrayList<>();
      attempts.forEach(attempt -> {
        if (attempt.get("rollout").asLong() == id) {
          inThisOne.add(attempt);
        }
      });
      assertThat(inThisOne).hasSize(1);
      assertThat(inThisOne.get(0).get("result").asText()).isEqualTo("DONE");
      // Its APPLIED recorded once, though it may have moved to another server and reported it again.
      List<String> applied = new ArrayList<>();
      survivor.admin().get("/api/v1/agents/" + collector.instanceUid() + "/events?limit=1000").body()
          .forEach(event -> {
            if (event.get("kind").asText().equals("CONFIG_APPLIED")) {
              applied.add(event.get("detail").asText());
            }
          });
      assertThat(applied).as(collector.instanceUid().toString()).containsOnlyOnce("ha-pipeline@2");
    }

    // The killed server's agents came back through the balancer to the others.
    long movedAt = System.nanoTime();
    awaitFleetConnected(survivor);
    assertThat(replicas(survivor)).doesNotContainValue("b").doesNotContainValue("");
    System.out.printf("e2e: every agent connected to a, c: %d s after the rollout ended%n",
        Duration.ofNanos(System.nanoTime() - movedAt).toSeconds());
  }

  @Test
  @Order(4)
  void whileTheDatabaseIsAwayTheServersAreUnreadyAndTheyComeBackWithIt() throws Exception {
    List<FleetServerContainer> alive = List.of(servers.get("a"), servers.get("c"));
    postgres.getDockerClient().stopContainerCmd(postgres.getContainerId()).withTimeout(5).exec();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> alive.stream().allMatch(server -> readyz(server) == 503));
      Thread.sleep(Duration.ofSeconds(30).toMillis());
      assertThat(alive).allSatisfy(server -> assertThat(readyz(server)).isEqualTo(503));
    } finally {
      postgres.getDockerClient().startContainerCmd(postgres.getContainerId()).exec();
    }
    await().atMost(Duration.ofMinutes(1)).until(() -> alive.stream().allMatch(server -> readyz(server) == 200));
    awaitFleetConnected(servers.get("c"));
    // Back with the store: a's answers too (its pool reconnects on first use, which may take a moment).
    for (SupervisedCollectorContainer collector : fleet) {
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        JsonNode agent = agent(servers.get("a"), collector);
        assertThat(agent.path("desiredConfig").asText()).as(agent.toString()).isEqualTo("ha-pipeline@2");
        assertThat(agent.path("runsDesiredConfig").asBoolean()).as(agent.toString()).isTrue();
      });
    }
  }

  private int readyz(FleetServerContainer server) {
    try {
      return HttpClient.newBuilder().sslContext(pki.trust()).connectTimeout(Duration.ofSeconds(2)).build()
          .send(HttpRequest.newBuilder(URI.create(server.adminUrl() + "/readyz")).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception unreachable) {
      return -1;
    }
  }
}

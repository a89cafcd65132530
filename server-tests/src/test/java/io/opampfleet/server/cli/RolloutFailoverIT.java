package io.opampfleet.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.peers.PostgresContainer;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.RolloutSteps;
import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.simulated.SimulatedAgent;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two packaged servers on one PostgreSQL. The one driving a rollout is killed with SIGKILL between
 * waves; the other takes the rollout over and finishes it, each agent's progress recorded once.
 */
class RolloutFailoverIT {
  private static final String BODY = "receivers: {otlp: {}}\nexporters: {debug: {}}\n"
      + "service: {pipelines: {traces: {receivers: [otlp], exporters: [debug]}}}\n";

  @TempDir
  Path dir;

  @Test
  void whenTheDrivingServerIsKilledAnotherFinishesTheRollout() throws Exception {
    TestFleet pki = new TestFleet(Files.createDirectories(dir.resolve("pki")));
    try (PostgresContainer postgres = new PostgresContainer();
         ServerProcess driver = new ServerProcess(Files.createDirectories(dir.resolve("a")));
         ServerProcess successor = new ServerProcess(Files.createDirectories(dir.resolve("b")))) {
      postgres.start();
      driver.start(driver.config(config(postgres, "a", freePort())));
      AdminClient onA = new AdminClient(URI.create(driver.awaitAdmin()), TestFleet.OPERATOR, null);
      int opampB = freePort();
      successor.start(successor.config(config(postgres, "b", opampB)));
      AdminClient onB = new AdminClient(URI.create(successor.awaitAdmin()), TestFleet.OPERATOR, null);

      List<SimulatedAgent> agents = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        ByteString uid = SimulatedAgent.newUid();
        SimulatedAgent agent = SimulatedAgent.builder(uid).labels(Map.of("tier", "web"))
            .overMutualTls(URI.create("wss://localhost:" + opampB + "/v1/opamp"), pki.clientKey(InstanceUid.text(uid)),
                pki.ca().certificate())
            .build();
        agents.add(agent.start());
      }
      try {
        // A sees B's agents connected, and drives a rollout over them: one agent a wave, each baking 2 s.
        await().atMost(Duration.ofSeconds(20)).until(() ->
            onA.get("/api/v1/agents?replica=b").body().get("total").asInt() == agents.size());
        RolloutSteps rollouts = new RolloutSteps(onA);
        rollouts.version("pipeline", BODY);
        long id = rollouts.start(Map.of("selector", "tier=web", "config", "pipeline", "version", 1,
            "waves", "1,2,3,100%", "bake", "2s", "applyTimeout", "20s")).get("id").asLong();
        await().atMost(Duration.ofSeconds(30)).until(() -> onB.get("/api/v1/rollouts/" + id).body()
            .get("currentWave").asInt() >= 1);

        driver.kill();
        long killed = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> successor.stderr().contains("taken over from a"));
        long takeover = Duration.ofNanos(System.nanoTime() - killed).toMillis();
        System.out.printf("failover: the rollout was taken over %d ms after its driver was killed%n", takeover);
        // The bound the README states: the driver's lease (10 s) ends, and within the next second's look,
        // plus one renewal period (2 s) for when the lease was last renewed, another server claims it.
        assertThat(takeover).isLessThanOrEqualTo(13_000);

        JsonNode ended = new RolloutSteps(onB).awaitEnd(id);
        assertThat(ended.get("state").asText()).as(ended.toString()).isEqualTo("SUCCEEDED");
        assertThat(ended.get("counts").get("DONE").asInt()).isEqualTo(agents.size());
        for (SimulatedAgent agent : agents) {
          assertThat(agent.running()).isEqualTo(BODY);
          JsonNode attempts = onB.get("/api/v1/agents/" + agent.uid() + "/rollouts").body();
          assertThat(attempts).hasSize(1);
          assertThat(attempts.get(0).get("result").asText()).isEqualTo("DONE");
          // Sent once and recorded APPLIED once, whichever server drove it at the time.
          assertThat(agent.received.stream().filter(ServerToAgent::hasRemoteConfig).count()).isEqualTo(1);
          JsonNode events = onB.get("/api/v1/agents/" + agent.uid() + "/events?limit=1000").body();
          assertThat(events.findValuesAsText("kind").stream().filter("CONFIG_APPLIED"::equals).count())
              .as(events.toString()).isEqualTo(1);
        }
      } finally {
        agents.forEach(SimulatedAgent::close);
      }
    }
  }

  private String config(PostgresContainer postgres, String name, int opampPort) {
    Path pki = dir.resolve("pki").toAbsolutePath();
    return "opamp:\n  listen: 127.0.0.1:" + opampPort + "\n  tls:\n    cert_file: " + pki.resolve("server.pem")
        + "\n    key_file: " + pki.resolve("server-key.pem") + "\n    client_ca_file: " + pki.resolve("ca.pem") + "\n"
        + "admin:\n  listen: 127.0.0.1:0\n"
        + "auth:\n  tokens:\n    - {name: test, role: operator, sha256: " + TestFleet.tokenSha256(TestFleet.OPERATOR) + "}\n"
        + "storage:\n  jdbc_url: " + postgres.jdbcUrl() + "\n  username: " + postgres.username() + "\n  password: "
        + postgres.password() + "\n  replica_name: " + name + "\n";
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

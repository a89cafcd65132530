package io.opampfleet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.peers.JdkClients;
import io.opampfleet.proto.AgentCapabilities;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.proto.ServerErrorResponseType;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.RolloutSteps;
import io.opampfleet.server.fleet.SharedStore;
import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.simulated.SimulatedAgent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Two servers on one PostgreSQL: what one decides for an agent reaches it where the other holds it. */
class ReplicasIT {
  private static final String BODY = "receivers: {otlp: {}}\nexporters: {debug: {}}\n"
      + "service: {pipelines: {traces: {receivers: [otlp], exporters: [debug]}}}\n";

  @RegisterExtension
  final SharedStore store = new SharedStore();
  @TempDir
  Path dir;

  @Test
  void aPushOnOneReplicaReachesTheAgentConnectedToTheOtherAndItsReportsDoNotUndoIt() {
    try (SimulatedAgent agent = store.b().agent(Map.of("service.name", "held-by-b"), SimulatedAgent.newUid(), false)
        .start()) {
      AdminClient operatorA = store.a().admin(TestFleet.OPERATOR);
      await().atMost(Duration.ofSeconds(20)).until(() -> operatorA.get("/api/v1/agents/" + agent.uid()).status() == 200);
      assertThat(operatorA.post("/api/v1/configs/pipeline/versions", Map.of("body", BODY)).status()).isEqualTo(201);

      long pushed = System.nanoTime();
      AdminClient.Answer push = operatorA.post("/api/v1/agents/" + agent.uid() + "/config",
          Map.of("config", "pipeline", "version", 1));
      assertThat(push.status()).as(push.body().toString()).isLessThan(300);
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> agent.running().equals(BODY));
      System.out.printf("replicas: a push on A reached the agent held by B in %d ms%n",
          Duration.ofNanos(System.nanoTime() - pushed).toMillis());

      // B keeps writing what the agent reports; what A decided stays in the store.
      AdminClient viewerB = store.b().admin(TestFleet.VIEWER);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(viewerB.get("/api/v1/agents/"
          + agent.uid()).body().get("runsDesiredConfig").asBoolean()).isTrue());
      store.b().restart();
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(store.b().admin(TestFleet.VIEWER)
          .get("/api/v1/agents/" + agent.uid()).body().get("desiredConfig").asText()).isEqualTo("pipeline@1"));
    }
  }

  @Test
  void everyReplicaShowsWhereAnAgentIsConnectedAndThatItIsGoneWhenItsReplicaIs() {
    try (SimulatedAgent agent = store.b().agent(Map.of("service.name", "held-by-b"), SimulatedAgent.newUid(), false)
        .start()) {
      AdminClient viewerA = store.a().admin(TestFleet.VIEWER);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        JsonNode listed = viewerA.get("/api/v1/agents?replica=b").body().get("agents");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("uid").asText()).isEqualTo(agent.uid());
        assertThat(listed.get(0).get("connected").asBoolean()).isTrue();
        assertThat(listed.get(0).get("replica").asText()).isEqualTo("b");
        assertThat(listed.get(0).get("labels").get("service.name").asText()).isEqualTo("held-by-b");
      });
      assertThat(viewerA.get("/api/v1/agents?replica=a").body().get("total").asInt()).isZero();
      assertThat(viewerA.get("/api/v1/agents/" + agent.uid()).body().get("health").get("healthy").asBoolean())
          .isTrue();

      store.b().close();
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
        JsonNode seen = viewerA.get("/api/v1/agents/" + agent.uid()).body();
        assertThat(seen.get("connected").asBoolean()).isFalse();
        assertThat(seen.get("replica").isNull()).isTrue();
      });
    }
  }

  @Test
  void aRolloutDrivenByOneServerIsSeenAndControlledFromTheOther() {
    try (SimulatedAgent first = store.b().agent(Map.of("tier", "web"), SimulatedAgent.newUid(), false).start();
         SimulatedAgent second = store.b().agent(Map.of("tier", "web"), SimulatedAgent.newUid(), false).start()) {
      AdminClient operatorA = store.a().admin(TestFleet.OPERATOR);
      AdminClient operatorB = store.b().admin(TestFleet.OPERATOR);
      await().atMost(Duration.ofSeconds(20)).until(() ->
          operatorA.get("/api/v1/agents?replica=b").body().get("total").asInt() == 2);
      RolloutSteps rollouts = new RolloutSteps(operatorA);
      rollouts.version("pipeline", BODY);
      Map<String, Object> plan = Map.of("selector", "tier=web", "config", "pipeline", "version", 1,
          "waves", "1,100%", "bake", "60s", "applyTimeout", "20s");
      long id = rollouts.start(plan).get("id").asLong();

      AdminClient.Answer twice = operatorB.post("/api/v1/rollouts", plan);
      assertThat(twice.status()).as(twice.body().toString()).isEqualTo(409);
      assertThat(twice.body().toString()).contains("is in rollout " + id);
      AdminClient.Answer push = operatorB.post("/api/v1/agents/" + first.uid() + "/config",
          Map.of("config", "pipeline", "version", 1));
      assertThat(push.status()).as(push.body().toString()).isEqualTo(409);
      assertThat(operatorB.get("/api/v1/rollouts").body().findValuesAsText("id")).contains(Long.toString(id));

      AdminClient.Answer paused = operatorB.post("/api/v1/rollouts/" + id + "/pause", Map.of());
      assertThat(paused.status()).as(paused.body().toString()).isLessThan(300);
      assertThat(paused.body().get("state").asText()).isEqualTo("PAUSED");
      assertThat(operatorA.get("/api/v1/rollouts/" + id).body().get("state").asText()).isEqualTo("PAUSED");
      AdminClient.Answer aborted = operatorB.post("/api/v1/rollouts/" + id + "/abort", Map.of());
      assertThat(aborted.body().get("state").asText()).as(aborted.body().toString()).isEqualTo("ABORTED");
      AdminClient.Answer again = operatorB.post("/api/v1/rollouts/" + id + "/abort", Map.of());
      assertThat(again.status()).isEqualTo(409);
    }
  }

  @Test
  void aRestartAndAPackageAskedOfOneServerReachTheAgentTheOtherHolds() {
    try (SimulatedAgent agent = store.b().agent(Map.of("tier", "web"), SimulatedAgent.newUid(), false).start()) {
      AdminClient operatorA = store.a().admin(TestFleet.OPERATOR);
      await().atMost(Duration.ofSeconds(20)).until(() ->
          operatorA.get("/api/v1/agents?replica=b").body().get("total").asInt() == 1);

      AdminClient.Answer restart = operatorA.post("/api/v1/agents/" + agent.uid() + "/restart", Map.of());
      assertThat(restart.status()).as(restart.body().toString()).isEqualTo(202);
      assertThat(restart.body().get("restart").asText()).startsWith("asked of b");
      await().atMost(Duration.ofSeconds(10)).until(() -> agent.received.stream().anyMatch(ServerToAgent::hasCommand));
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(operatorA.get("/api/v1/agents/"
          + agent.uid() + "/events").body().findValuesAsText("kind")).contains("RESTART_SENT"));

      byte[] content = "#!/bin/sh\necho otelcol 2.1\n".getBytes(StandardCharsets.UTF_8);
      assertThat(store.a().admin(TestFleet.ADMIN).post("/api/v1/packages", Map.of("name", "otelcol", "version", "2.1.0",
          "content", Base64.getEncoder().encodeToString(content))).status()).isEqualTo(201);
      AdminClient.Answer offered = operatorA.post("/api/v1/agents/" + agent.uid() + "/packages",
          Map.of("name", "otelcol", "version", "2.1.0"));
      assertThat(offered.status()).as(offered.body().toString()).isEqualTo(201);
      // Offered through B, downloaded from B, which copies the file A took from the store.
      await().atMost(Duration.ofSeconds(10)).until(() -> agent.installed.containsKey("otelcol"));
      assertThat(agent.installed.get("otelcol")).isEqualTo(content);
    }
  }

  @Test
  void eachServerKeepsInMemoryTheAgentsItHoldsAndThoseOfTheRolloutsItDrivesYetListsTheWholeFleet() {
    try (SimulatedAgent onA = store.a().agent(Map.of("tier", "db"), SimulatedAgent.newUid(), false).start();
         SimulatedAgent first = store.b().agent(Map.of("tier", "web"), SimulatedAgent.newUid(), false).start();
         SimulatedAgent second = store.b().agent(Map.of("tier", "web"), SimulatedAgent.newUid(), false).start();
         SimulatedAgent third = store.b().agent(Map.of("tier", "web"), SimulatedAgent.newUid(), false).start()) {
      AdminClient viewerA = store.a().admin(TestFleet.VIEWER);
      await().atMost(Duration.ofSeconds(20)).until(() -> viewerA.get("/api/v1/agents?connected=true").body()
          .get("total").asInt() == 4);
      assertThat(viewerA.get("/api/v1/agents?selector=tier%3Dweb").body().findValuesAsText("replica"))
          .containsExactly("b", "b", "b");
      assertThat(viewerA.get("/api/v1/fleet").body().get("connected").asInt()).isEqualTo(4);
      await().atMost(Duration.ofSeconds(5)).until(() -> metric(store.a(), "opamp_agents_known") == 4);
      assertThat(metric(store.a(), "opamp_agents_in_memory")).isEqualTo(1);
      assertThat(metric(store.b(), "opamp_agents_in_memory")).isEqualTo(3);

      // A rollout driven by A follows the agents B holds: A reads them, and their reports reach it.
      RolloutSteps rollouts = new RolloutSteps(store.a().admin(TestFleet.OPERATOR));
      rollouts.version("pipeline", BODY);
      long id = rollouts.start(Map.of("selector", "tier=web", "config", "pipeline", "version", 1, "waves", "1,100%",
          "bake", "1s", "applyTimeout", "20s")).get("id").asLong();
      assertThat(metric(store.a(), "opamp_agents_in_memory")).isEqualTo(4);
      JsonNode ended = rollouts.awaitEnd(id);
      assertThat(ended.get("state").asText()).as(ended.toString()).isEqualTo("SUCCEEDED");
      assertThat(first.running()).isEqualTo(BODY);
      assertThat(third.running()).isEqualTo(BODY);
      assertThat(metric(store.b(), "opamp_agents_in_memory")).isEqualTo(3);
    }
  }

  @Test
  void agentsOfBothServersRunningOneConfigReferToOneStoredBodyOfIt() throws Exception {
    try (SimulatedAgent onA = store.a().agent(Map.of("tier", "web"), SimulatedAgent.newUid(), false).start();
         SimulatedAgent onB = store.b().agent(Map.of("tier", "web"), SimulatedAgent.newUid(), false).start()) {
      AdminClient operatorA = store.a().admin(TestFleet.OPERATOR);
      await().atMost(Duration.ofSeconds(20)).until(() -> operatorA.get("/api/v1/agents?connected=true").body()
          .get("total").asInt() == 2);
      assertThat(operatorA.post("/api/v1/configs/pipeline/versions", Map.of("body", BODY)).status()).isEqualTo(201);
      for (SimulatedAgent agent : List.of(onA, onB)) {
        assertThat(operatorA.post("/api/v1/agents/" + agent.uid() + "/config", Map.of("config", "pipeline",
            "version", 1)).status()).isLessThan(300);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> BODY.equals(onA.running()) && BODY.equals(onB.running()));

      // Each server wrote the effective config its agent reported: both refer to one body, which is there.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(storedEffectiveConfigs(onA.uid(),
          onB.uid())).hasSize(2).containsOnly(List.of(true, true)));
      try (Connection sql = store.connect(); PreparedStatement select = sql.prepareStatement("SELECT COUNT(DISTINCT"
          + " body_sha256) FROM agent_parts WHERE part = 'effective_config' AND instance_uid = ANY(?)")) {
        select.setArray(1, sql.createArrayOf("text", new Object[] {onA.uid(), onB.uid()}));
        try (ResultSet count = select.executeQuery()) {
          count.next();
          assertThat(count.getInt(1)).isEqualTo(1);
        }
      }
    }
  }

  /** For each of the agents' stored effective configs: whether it names a body, and whether the body is stored. */
  private List<List<Boolean>> storedEffectiveConfigs(String... uids) throws SQLException {
    List<List<Boolean>> found = new ArrayList<>();
    try (Connection sql = store.connect(); PreparedStatement select = sql.prepareStatement("SELECT"
        + " parts.body_sha256 IS NOT NULL, bodies.sha256 IS NOT NULL FROM agent_parts parts LEFT JOIN part_bodies"
        + " bodies ON bodies.sha256 = parts.body_sha256 WHERE parts.part = 'effective_config'"
        + " AND parts.instance_uid = ANY(?)")) {
      select.setArray(1, sql.createArrayOf("text", uids));
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          found.add(List.of(rows.getBoolean(1), rows.getBoolean(2)));
        }
      }
    }
    return found;
  }

  @Test
  void aUidConnectedToBothServersKeepsOnlyItsNewestConnection() throws Exception {
    store.a().withPlainAgents().restart();
    store.b().withPlainAgents().restart();
    ByteString uid = SimulatedAgent.newUid();
    String text = InstanceUid.text(uid);
    // A connection to A that the agent no longer uses (a stale one during a failover): it never reconnects.
    JdkClients.Socket stale = JdkClients.Socket.open(HttpClient.newHttpClient(), store.a().opampEndpoint());
    stale.send(AgentToServer.newBuilder().setInstanceUid(uid).setCapabilities(
        AgentCapabilities.AgentCapabilities_ReportsStatus_VALUE).setAgentDescription(AgentDescription.newBuilder()
        .addIdentifyingAttributes(KeyValue.newBuilder().setKey("tier").setValue(AnyValue.newBuilder()
            .setStringValue("web")))).build());
    AdminClient viewerB = store.b().admin(TestFleet.VIEWER);
    await().atMost(Duration.ofSeconds(10)).until(() -> "a".equals(viewerB.get("/api/v1/agents/" + text).body()
        .path("replica").asText()));

    try (SimulatedAgent newer = store.b().agent(Map.of("tier", "web"), uid, false).start()) {
      assertThat(stale.closeStatus.handle((status, error) -> status != null ? "closed " + status : error.toString())
          .get(10, TimeUnit.SECONDS)).isNotEmpty();
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        for (TestFleet viewer : List.of(store.a(), store.b())) {
          JsonNode seen = viewer.admin(TestFleet.VIEWER).get("/api/v1/agents/" + text).body();
          assertThat(seen.get("replica").asText()).as(seen.toString()).isEqualTo("b");
          assertThat(seen.get("connected").asBoolean()).isTrue();
        }
        assertThat(metric(store.a(), "opamp_agents_connected")).isZero();
        assertThat(metric(store.b(), "opamp_agents_connected")).isEqualTo(1);
      });
    }
  }

  @Test
  void aTokenMadeOrDeletedOnOneServerIsHonouredOrRefusedByTheOther() {
    AdminClient.Answer made = store.a().admin(TestFleet.ADMIN).post("/api/v1/tokens",
        Map.of("name", "ci", "role", "viewer"));
    assertThat(made.status()).as(made.body().toString()).isEqualTo(201);
    AdminClient ciOnB = store.b().admin(made.body().get("token").asText());
    await().atMost(Duration.ofSeconds(5)).until(() -> ciOnB.get("/api/v1/whoami").status() == 200);
    assertThat(ciOnB.get("/api/v1/whoami").body().get("name").asText()).isEqualTo("ci");

    assertThat(store.a().admin(TestFleet.ADMIN).delete("/api/v1/tokens/ci").status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(5)).until(() -> ciOnB.get("/api/v1/whoami").status() == 401);
  }

  @Test
  void anAssignmentSavedOnOneServerIsListedByTheOtherAndGivesItsConfigToANewAgentThere() {
    AdminClient operatorA = store.a().admin(TestFleet.OPERATOR);
    assertThat(operatorA.post("/api/v1/configs/pipeline/versions", Map.of("body", BODY)).status()).isEqualTo(201);
    AdminClient.Answer saved = operatorA.put("/api/v1/assignments/web",
        Map.of("selector", "tier=web", "config", "pipeline", "version", 1));
    assertThat(saved.status()).as(saved.body().toString()).isLessThan(300);
    AdminClient viewerB = store.b().admin(TestFleet.VIEWER);
    await().atMost(Duration.ofSeconds(5)).until(() -> viewerB.get("/api/v1/assignments").body()
        .findValuesAsText("name").contains("web"));

    try (SimulatedAgent agent = store.b().agent(Map.of("tier", "web"), SimulatedAgent.newUid(), false).start()) {
      await().atMost(Duration.ofSeconds(10)).until(() -> BODY.equals(agent.running()));
    }

    assertThat(operatorA.delete("/api/v1/assignments/web").status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(5)).until(() -> viewerB.get("/api/v1/assignments").body().isEmpty());
  }

  @Test
  void anAgentPollingOverHttpIsServedByWhicheverServerEachPollReachesAndNoReportOrOfferOfItIsLost() throws Exception {
    store.a().withPlainAgents().restart();
    store.b().withPlainAgents().restart();
    HttpPoller agent = new HttpPoller(SimulatedAgent.newUid());
    agent.poll(store.a(), agent.describe("tier", "polled"));
    AdminClient operatorB = store.b().admin(TestFleet.OPERATOR);
    await().atMost(Duration.ofSeconds(10)).until(() -> operatorB.get("/api/v1/agents/" + agent.uid()).status() == 200);
    assertThat(operatorB.post("/api/v1/configs/pipeline/versions", Map.of("body", BODY)).status()).isEqualTo(201);
    AdminClient.Answer push = operatorB.post("/api/v1/agents/" + agent.uid() + "/config",
        Map.of("config", "pipeline", "version", 1));
    assertThat(push.status()).as(push.body().toString()).isLessThan(300);

    // Decided on B, offered by A, which the next poll reaches.
    ServerToAgent offer = await().atMost(Duration.ofSeconds(10)).until(
        () -> agent.poll(store.a(), AgentToServer.newBuilder()), ServerToAgent::hasRemoteConfig);
    ByteString hash = offer.getRemoteConfig().getConfigHash();
    // Applied, reported to B; then polls alternate, each server the last to hear of it in turn.
    agent.poll(store.b(), AgentToServer.newBuilder().setRemoteConfigStatus(RemoteConfigStatus.newBuilder()
        .setLastRemoteConfigHash(hash).setStatus(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED)));
    for (TestFleet replica : List.of(store.a(), store.b(), store.a())) {
      // A server that has not yet heard the report from the other may offer the config again: the same one.
      ServerToAgent reply = agent.poll(replica, AgentToServer.newBuilder());
      if (reply.hasRemoteConfig()) {
        assertThat(reply.getRemoteConfig().getConfigHash()).isEqualTo(hash);
      }
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        for (TestFleet viewer : List.of(store.a(), store.b())) {
          JsonNode seen = viewer.admin(TestFleet.VIEWER).get("/api/v1/agents/" + agent.uid()).body();
          assertThat(seen.get("runsDesiredConfig").asBoolean()).as(seen.toString()).isTrue();
          assertThat(seen.get("replica").asText()).as(seen.toString()).isEqualTo(replica.replicaName());
        }
      });
    }
    // The last poll reached A: its report (a health change) is what both servers show.
    agent.poll(store.a(), AgentToServer.newBuilder().setHealth(ComponentHealth.newBuilder().setHealthy(false)
        .setLastError("pipeline stalled")));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(store.b().admin(TestFleet.VIEWER)
        .get("/api/v1/agents/" + agent.uid()).body().get("health").get("lastError").asText())
        .isEqualTo("pipeline stalled"));

    // A new certificate asked of A, which the last poll reached; the next reaches B, which offers it.
    AdminClient.Answer rotate = store.a().admin(TestFleet.OPERATOR).post("/api/v1/agents/" + agent.uid()
        + "/certificate", Map.of());
    assertThat(rotate.status()).as(rotate.body().toString()).isEqualTo(202);
    assertThat(rotate.body().get("certificate").asText()).startsWith("asked for the agent's next poll");
    ServerToAgent offered = await().atMost(Duration.ofSeconds(10)).until(
        () -> agent.poll(store.b(), AgentToServer.newBuilder()), ServerToAgent::hasConnectionSettings);
    assertThat(offered.getConnectionSettings().getOpamp().getCertificate().getCert().toStringUtf8())
        .contains("BEGIN CERTIFICATE");
    assertThat(agent.poll(store.a(), AgentToServer.newBuilder()).hasConnectionSettings()).as("offered once").isFalse();
  }

  @Test
  void madeUpAgentsKeptByOneServerCountAgainstTheCeilingOfEveryServerSharingTheStore() throws Exception {
    long ceiling = 8L * 1024 * 1024;
    store.a().withPlainAgents().withMaxReportedBytes(ceiling).restart();
    store.b().withPlainAgents().withMaxReportedBytes(ceiling).restart();
    HttpPoller known = new HttpPoller(SimulatedAgent.newUid());
    known.poll(store.a(), known.describe("tier", "web"));
    // Each made-up agent reports an effective config of its own of about 1 MB (the store keeps a body agents
    // share once): new agents take nine tenths of the 8 MiB.
    int kept = 0;
    while (kept < 20 && !new HttpPoller(SimulatedAgent.newUid()).send(store.a(), madeUp(kept)).hasErrorResponse()) {
      kept++;
    }
    assertThat(kept).isEqualTo(7);

    // B holds none of them, and counts them as the store holds them: a stranger turning to B is refused too
    // (B's own memory has room for seven more).
    AdminClient viewerB = store.b().admin(TestFleet.VIEWER);
    await().atMost(Duration.ofSeconds(15)).until(() -> metric(viewerB, "opamp_reported_bytes_held") > 7_000_000);
    ServerToAgent refused = new HttpPoller(SimulatedAgent.newUid()).send(store.b(), madeUp(kept));
    assertThat(refused.getErrorResponse().getType())
        .isEqualTo(ServerErrorResponseType.ServerErrorResponseType_Unavailable);
    // The refused one left nothing behind; an agent the fleet knew before goes on reporting, to either server.
    known.poll(store.b(), AgentToServer.newBuilder().setHealth(ComponentHealth.newBuilder().setHealthy(true)));
    long fleet = 1 + kept;
    await().atMost(Duration.ofSeconds(5)).until(() -> metric(viewerB, "opamp_agents_known") == fleet);
  }

  /** A report with an effective config of about 1 MB, one of its own for each {@code n}. */
  private static AgentToServer.Builder madeUp(int n) {
    byte[] body = new byte[1_000_000];
    body[0] = (byte) n;
    return AgentToServer.newBuilder().setEffectiveConfig(EffectiveConfig.newBuilder().setConfigMap(AgentConfigMap
        .newBuilder().putConfigMap("collector.yaml", AgentConfigFile.newBuilder().setBody(ByteString.copyFrom(body))
            .build())));
  }

  /** An agent that polls over plain HTTP, each poll to the server the test names: as behind a round-robin balancer. */
  private static final class HttpPoller {
    private final ByteString uid;
    private final HttpClient http = HttpClient.newHttpClient();
    private long sequence;

    HttpPoller(ByteString uid) {
      this.uid = uid;
    }

    String uid() {
      return InstanceUid.text(uid);
    }

    AgentToServer.Builder describe(String key, String value) {
      return AgentToServer.newBuilder().setAgentDescription(AgentDescription.newBuilder().addIdentifyingAttributes(
          KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value))));
    }

    ServerToAgent poll(TestFleet replica, AgentToServer.Builder message) throws Exception {
      ServerToAgent reply = send(replica, message);
      assertThat(reply.hasErrorResponse()).as(reply.toString()).isFalse();
      return reply;
    }

    /** The server's answer, a refusal included. */
    ServerToAgent send(TestFleet replica, AgentToServer.Builder message) throws Exception {
      byte[] body = message.setInstanceUid(uid).setSequenceNum(sequence++)
          .setCapabilities(AgentCapabilities.AgentCapabilities_ReportsStatus_VALUE
              | AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig_VALUE
              | AgentCapabilities.AgentCapabilities_ReportsRemoteConfig_VALUE
              | AgentCapabilities.AgentCapabilities_ReportsHealth_VALUE
              | AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings_VALUE).build().toByteArray();
      HttpResponse<byte[]> answer = http.send(HttpRequest.newBuilder(
              URI.create("http://localhost:" + replica.opampPort() + "/v1/opamp"))
          .header("Content-Type", "application/x-protobuf")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(answer.statusCode()).isEqualTo(200);
      return ServerToAgent.parseFrom(answer.body());
    }
  }

  private static long metric(TestFleet replica, String name) {
    return metric(replica.admin(TestFleet.VIEWER), name);
  }

  /** Through one client, so that polling it holds one connection. */
  private static long metric(AdminClient viewer, String name) {
    AdminClient.Answer answer = viewer.get("/metrics");
    String text = answer.status() == 200 ? answer.body().asText() : answer.status() + " " + answer.body();
    return text.lines().filter(line -> line.startsWith(name + " ")).mapToLong(line -> (long) Double.parseDouble(
        line.substring(name.length() + 1).trim())).findFirst().orElseThrow(() -> new AssertionError(name + " not in "
        + text));
  }

  @Test
  void aSecondServerMayNotTakeTheNameOfOneThatIsRunning() {
    TestFleet impostor = new TestFleet(dir.resolve("impostor").resolve("b"), Optional.of(store.jdbcUrl()));
    assertThatThrownBy(impostor::start).hasMessageContaining("a server named 'b' is running on this store");
  }
}

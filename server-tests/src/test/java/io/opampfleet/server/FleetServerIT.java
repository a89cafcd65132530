package io.opampfleet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.netty.client.OpampClient;
import io.opampfleet.peers.ContribAgent;
import io.opampfleet.peers.JdkClients;
import io.opampfleet.proto.AgentCapabilities;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AgentToServerFlags;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.proto.ServerToAgentFlags;
import io.opampfleet.server.fleet.AdminClient.Answer;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.RolloutSteps;
import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.simulated.SimulatedAgent;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fleet server with agents over mutual TLS: inventory, pushes, rollouts, restarts, refusals. */
class FleetServerIT {
  private static final String V1 = "receivers:\n  otlp:\nexporters:\n  debug:\nservice:\n  pipelines:\n    traces:\n"
      + "      receivers: [otlp]\n      exporters: [debug]\n";

  @TempDir
  Path dir;
  private TestFleet fleet;
  private AdminClient operator;
  private RolloutSteps rollouts;
  private final List<AutoCloseable> agents = new ArrayList<>();

  /** The store the server runs on: the embedded one here. */
  protected Optional<String> jdbcUrl() {
    return Optional.empty();
  }

  @BeforeEach
  void startServer() {
    fleet = new TestFleet(dir, jdbcUrl()).start();
    operator = fleet.admin(TestFleet.OPERATOR);
    rollouts = new RolloutSteps(operator);
  }

  @AfterEach
  void stopAll() throws Exception {
    for (AutoCloseable agent : agents) {
      agent.close();
    }
    fleet.close();
  }

  @Test
  void aConnectionThatSpeaksForANewUidLeavesTheOldOneDisconnected() throws Exception {
    ByteString first = SimulatedAgent.newUid();
    ByteString second = SimulatedAgent.newUid();
    try (JdkClients.Socket socket = plainSocket()) {
      socket.exchange(described(first, 0).build());
      await().atMost(Duration.ofSeconds(10)).until(() -> connected(InstanceUid.text(first)));

      // A client that took another uid on the same connection (the spec lets the server hand one out).
      socket.exchange(described(second, 1).build());

      await().atMost(Duration.ofSeconds(10))
          .until(() -> connected(InstanceUid.text(second)) && !connected(InstanceUid.text(first)));
      assertThat(operator.get("/api/v1/agents/" + InstanceUid.text(first) + "/events").body().toString())
          .contains("its connection now speaks for agent " + InstanceUid.text(second));
    }
  }

  @Test
  void anAgentThatAsksForAUidGetsOneAndNothingIsKeptUnderTheStandIn() throws Exception {
    ByteString standIn = SimulatedAgent.newUid();
    try (JdkClients.Socket socket = plainSocket()) {
      ServerToAgent reply = socket.exchange(described(standIn, 0)
          .setFlags(AgentToServerFlags.AgentToServerFlags_RequestInstanceUid_VALUE).build());

      ByteString given = reply.getAgentIdentification().getNewInstanceUid();
      assertThat(given.size()).isEqualTo(16);
      assertThat(given).isNotEqualTo(standIn);
      assertThat(reply.getInstanceUid()).as("the reply names the uid it answers").isEqualTo(standIn);
      assertThat(reply.getFlags() & ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE).isNotZero();
      assertThat(operator.get("/api/v1/agents/" + InstanceUid.text(standIn)).status()).isEqualTo(404);

      // Its whole state under the new uid, the first message of it here: taken as it is.
      ServerToAgent first = socket.exchange(described(given, 1).build());
      assertThat(first.hasAgentIdentification()).isFalse();
      assertThat(first.getFlags() & ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE).isZero();
      assertThat(connected(InstanceUid.text(given))).isTrue();

      // Messages went missing on the way: a description alone is not the rest of its state.
      ServerToAgent afterGap = socket.exchange(described(given, 5).build());
      assertThat(afterGap.getFlags() & ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE).isNotZero();
    }
  }

  @Test
  void twoAgentsThatShareAUidAreToldApartTheOlderConnectionGetsAUidOfItsOwn() throws Exception {
    ByteString shared = SimulatedAgent.newUid();
    try (JdkClients.Socket original = plainSocket()) {
      // A host cloned with the first one's storage: the same uid, from another address.
      OpampClient clone = OpampClient.builder().endpoint(fleet.opampEndpoint()).instanceUid(shared)
          .localAddress(InetAddress.getByName("127.0.0.2")).build();
      try {
        original.exchange(described(shared, 0).build());
        clone.setAgentDescription(described(shared, 0).getAgentDescription());
        clone.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> operator.get("/api/v1/agents/" + InstanceUid.text(shared))
            .body().path("remoteAddress").asText().startsWith("/127.0.0.2:"));

        // The original speaks on while the clone holds the uid: two agents, not a reconnect.
        ServerToAgent toldApart = original.exchange(AgentToServer.newBuilder().setInstanceUid(shared)
            .setSequenceNum(1).setCapabilities(1).build());
        ByteString own = toldApart.getAgentIdentification().getNewInstanceUid();
        assertThat(own.size()).isEqualTo(16);
        assertThat(own).isNotEqualTo(shared);
        original.exchange(described(own, 2).build());

        assertThat(clone.instanceUid()).as("the connection holding the uid keeps it").isEqualTo(shared);
        assertThat(connected(InstanceUid.text(shared))).isTrue();
        assertThat(connected(InstanceUid.text(own))).isTrue();
        assertThat(operator.get("/api/v1/agents/" + InstanceUid.text(shared) + "/events").body().toString())
            .contains("UID_SHARED", "it was given uid " + InstanceUid.text(own));
      } finally {
        clone.stop().join();
      }
    }
  }

  @Test
  void oneAgentWithTwoConnectionsFromOneHostKeepsItsUid() throws Exception {
    ByteString uid = SimulatedAgent.newUid();
    // As a supervisor trying offered settings keeps its old connection while the new one connects.
    try (JdkClients.Socket old = plainSocket(); JdkClients.Socket trial = anotherPlainSocket()) {
      old.exchange(described(uid, 0).build());
      trial.exchange(described(uid, 0).build());

      ServerToAgent answer = old.exchange(AgentToServer.newBuilder().setInstanceUid(uid).setSequenceNum(1)
          .setCapabilities(1).build());

      assertThat(answer.hasAgentIdentification()).isFalse();
      assertThat(operator.get("/api/v1/agents/" + InstanceUid.text(uid) + "/events").body().toString())
          .doesNotContain("UID_SHARED");
    }
  }

  /** The server again with agents on plain WebSockets, and a raw OpAMP socket to it. */
  private JdkClients.Socket plainSocket() throws Exception {
    fleet.withPlainAgents().restart();
    operator = fleet.admin(TestFleet.OPERATOR);
    return anotherPlainSocket();
  }

  private JdkClients.Socket anotherPlainSocket() throws Exception {
    return JdkClients.Socket.open(HttpClient.newHttpClient(), fleet.opampEndpoint());
  }

  private static AgentToServer.Builder described(ByteString uid, long sequence) {
    return AgentToServer.newBuilder().setInstanceUid(uid).setSequenceNum(sequence).setCapabilities(1)
        .setAgentDescription(AgentDescription.newBuilder().addIdentifyingAttributes(KeyValue.newBuilder()
            .setKey("service.name").setValue(AnyValue.newBuilder().setStringValue("stand-in"))));
  }


  private boolean connected(String uid) {
    return operator.get("/api/v1/agents/" + uid).body().path("connected").asBoolean();
  }

  @Test
  void agentsOnOurClientAndTheContribClientAreListedWithTheirAttributesAndCertificates() {
    SimulatedAgent ours = agent(Map.of("service.name", "ours", "env", "prod"));
    ContribAgent contrib = contrib("contrib-agent");
    agents.add(contrib);

    await().atMost(Duration.ofSeconds(20)).until(() -> operator.get("/api/v1/agents?connected=true").body()
        .get("total").asInt() == 2);
    JsonNode listed = operator.get("/api/v1/agents?selector=env=prod").body();
    assertThat(listed.get("total").asInt()).isEqualTo(1);
    assertThat(listed.get("agents").get(0).get("uid").asText()).isEqualTo(ours.uid());
    JsonNode detail = operator.get("/api/v1/agents/" + ours.uid()).body();
    assertThat(detail.get("identifyingAttributes").get("service.name").asText()).isEqualTo("ours");
    assertThat(detail.get("certificate").get("subject").asText()).contains("CN=" + ours.uid());
    assertThat(detail.get("capabilities").toString()).contains("AcceptsRemoteConfig");
    assertThat(detail.get("health").get("healthy").asBoolean()).isTrue();
    JsonNode contribRow = operator.get("/api/v1/agents?selector=service.name=contrib").body().get("agents").get(0);
    assertThat(operator.get("/api/v1/agents/" + contribRow.get("uid").asText()).body()
        .get("certificate").get("subject").asText()).contains("CN=contrib-agent");
  }

  @Test
  void aPushedConfigReachesBothClientsAndIsReportedApplied() {
    SimulatedAgent ours = agent(Map.of("service.name", "ours"));
    ContribAgent contrib = contrib("contrib-agent");
    agents.add(contrib);
    rollouts.version("pipeline", V1);
    await().atMost(Duration.ofSeconds(20)).until(() -> operator.get("/api/v1/agents").body().get("total").asInt() == 2);

    for (JsonNode row : operator.get("/api/v1/agents").body().get("agents")) {
      Answer pushed = operator.post("/api/v1/agents/" + row.get("uid").asText() + "/config",
          Map.of("config", "pipeline", "version", 1));
      assertThat(pushed.status()).isEqualTo(201);
    }

    await().atMost(Duration.ofSeconds(20)).until(() -> ours.running().equals(V1) && contrib.configsApplied.contains(V1));
    await().atMost(Duration.ofSeconds(20)).until(() -> operator.get("/api/v1/agents?status=APPLIED&config=pipeline@1")
        .body().get("total").asInt() == 2);
    JsonNode events = operator.get("/api/v1/agents/" + ours.uid() + "/events").body();
    assertThat(events.toString()).contains("CONNECTED", "CONFIG_SENT", "CONFIG_APPLIED");
  }

  @Test
  void aRolloutInTwoWavesReachesEveryAgent() {
    List<SimulatedAgent> fleetAgents = agents(6, 0);
    rollouts.version("pipeline", V1);
    JsonNode rollout = rollouts.start(Map.of("selector", "tier=web", "config", "pipeline", "version", 1,
        "waves", "50%,100%", "bake", "200ms", "applyTimeout", "20s"));

    JsonNode done = rollouts.awaitEnd(rollout.get("id").asLong());
    assertThat(done.get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(done.get("waveProgress")).hasSize(2);
    assertThat(done.get("counts").get("DONE").asInt()).isEqualTo(6);
    assertThat(fleetAgents).allSatisfy(agent -> assertThat(agent.running()).isEqualTo(V1));
  }

  @Test
  void aRolloutWhoseFirstWaveSpendsTheBudgetRollsEveryTouchedAgentBack() {
    List<SimulatedAgent> fleetAgents = agents(10, 3);
    rollouts.version("pipeline", V1);
    rollouts.awaitEnd(rollouts.start(Map.of("selector", "tier=web", "config", "pipeline", "version", 1,
        "applyTimeout", "20s")).get("id").asLong());
    String v2 = V1 + "# fragile\n";
    rollouts.version("pipeline", v2);

    JsonNode rollout = rollouts.start(Map.of("selector", "tier=web", "config", "pipeline", "version", 2,
        "waves", "40%,100%", "failureBudget", "1", "applyTimeout", "20s"));
    JsonNode done = rollouts.awaitEnd(rollout.get("id").asLong());

    assertThat(done.get("state").asText()).isEqualTo("ROLLED_BACK");
    assertThat(done.get("reason").asText()).contains("wave 1", "over the failure budget of 1");
    assertThat(done.get("counts").get("ROLLED_BACK").asInt()).isEqualTo(4);
    assertThat(done.get("counts").get("WAITING").asInt()).isEqualTo(6);
    assertThat(fleetAgents).allSatisfy(agent -> assertThat(agent.running()).isEqualTo(V1));
    await().atMost(Duration.ofSeconds(10)).until(() -> operator.get("/api/v1/agents?config=pipeline@1").body()
        .get("total").asInt() == 10);
  }

  @Test
  void aServerRestartedMidRolloutFinishesItWithoutLosingAnAgentsStatus() {
    List<SimulatedAgent> fleetAgents = agents(5, 0);
    rollouts.version("pipeline", V1);
    long id = rollouts.start(Map.of("selector", "tier=web", "config", "pipeline", "version", 1,
        "waves", "1,100%", "bake", "3s", "applyTimeout", "30s")).get("id").asLong();
    await().atMost(Duration.ofSeconds(10)).until(() -> operator.get("/api/v1/rollouts/" + id).body()
        .get("counts").get("BAKING").asInt() == 1);

    fleet.restart();

    JsonNode resumed = operator.get("/api/v1/rollouts/" + id).body();
    assertThat(resumed.get("state").asText()).isEqualTo("RUNNING");
    assertThat(resumed.get("counts").get("BAKING").asInt() + resumed.get("counts").get("DONE").asInt()).isEqualTo(1);
    assertThat(operator.get("/api/v1/agents?selector=tier=web").body().get("total").asInt()).isEqualTo(5);
    JsonNode done = rollouts.awaitEnd(id);
    assertThat(done.get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(done.get("counts").get("DONE").asInt()).isEqualTo(5);
    assertThat(fleetAgents).allSatisfy(agent -> assertThat(agent.running()).isEqualTo(V1));
  }

  @Test
  void anAgentThatWasOfflineGetsItsConfigWhenItReturns() {
    SimulatedAgent agent = agent(Map.of("service.name", "away"));
    rollouts.version("pipeline", V1);
    await().atMost(Duration.ofSeconds(20)).until(() -> operator.get("/api/v1/agents?connected=true").body()
        .get("total").asInt() == 1);
    agent.close();
    await().atMost(Duration.ofSeconds(20)).until(() -> operator.get("/api/v1/agents?connected=false").body()
        .get("total").asInt() == 1);

    Answer pushed = operator.post("/api/v1/agents/" + agent.uid() + "/config", Map.of("config", "pipeline", "version", 1));
    assertThat(pushed.body().get("connected").asBoolean()).isFalse();
    agent.start();

    await().atMost(Duration.ofSeconds(20)).until(() -> agent.running().equals(V1));
  }

  @Test
  void aServerThatLacksAnAgentsStateAsksForAllOfIt() throws Exception {
    ByteString uid = SimulatedAgent.newUid();
    HttpClient http = JdkClients.http(JdkClients.tls(fleet.clientKey(InstanceUid.text(uid)), fleet.ca().certificate()));
    URI endpoint = URI.create(fleet.opampEndpoint().toString().replaceFirst("^wss:", "https:"));
    AgentToServer described = AgentToServer.newBuilder().setInstanceUid(uid).setSequenceNum(0)
        .setAgentDescription(AgentDescription.newBuilder().addIdentifyingAttributes(KeyValue.newBuilder()
            .setKey("service.name").setValue(AnyValue.newBuilder().setStringValue("raw"))))
        .build();
    assertThat(JdkClients.exchange(http, endpoint, described).getFlags()
        & ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE).isZero();

    fleet.restart();
    ServerToAgent reply = JdkClients.exchange(http, endpoint, AgentToServer.newBuilder().setInstanceUid(uid)
        .setSequenceNum(1).build());

    assertThat(reply.getFlags() & ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE).isNotZero();
    assertThat(operator.get("/api/v1/agents/" + InstanceUid.text(uid)).body().get("labels").get("service.name")
        .asText()).isEqualTo("raw");
  }

  @Test
  void anHttpAgentWhoseAnswerWithItsConfigWasLostIsSentItAgain() throws Exception {
    ByteString uid = SimulatedAgent.newUid();
    HttpClient http = JdkClients.http(JdkClients.tls(fleet.clientKey(InstanceUid.text(uid)), fleet.ca().certificate()));
    URI endpoint = URI.create(fleet.opampEndpoint().toString().replaceFirst("^wss:", "https:"));
    long capabilities = AgentCapabilities.AgentCapabilities_ReportsStatus_VALUE
        | AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig_VALUE
        | AgentCapabilities.AgentCapabilities_ReportsRemoteConfig_VALUE;
    JdkClients.exchange(http, endpoint, described(uid, 0).setCapabilities(capabilities).build());
    rollouts.version("pipeline", V1);
    operator.post("/api/v1/agents/" + InstanceUid.text(uid) + "/config", Map.of("config", "pipeline", "version", 1));

    List<ServerToAgent> answers = new ArrayList<>();
    for (long sequence = 1; sequence <= 9; sequence++) {
      // Each answer lost on its way back: the agent polls on as it was.
      answers.add(JdkClients.exchange(http, endpoint, AgentToServer.newBuilder().setInstanceUid(uid)
          .setSequenceNum(sequence).setCapabilities(capabilities).build()));
    }
    // Pushed, so with the next poll; not again with the one after (it may have left before the agent took
    // the config in); then again three polls after it was sent, then six.
    assertThat(answers).extracting(ServerToAgent::hasRemoteConfig)
        .containsExactly(true, false, true, false, false, false, false, false, true);

    ServerToAgent taken = JdkClients.exchange(http, endpoint, AgentToServer.newBuilder().setInstanceUid(uid)
        .setSequenceNum(10).setCapabilities(capabilities).setRemoteConfigStatus(RemoteConfigStatus.newBuilder()
            .setStatus(RemoteConfigStatuses.RemoteConfigStatuses_APPLYING)
            .setLastRemoteConfigHash(answers.get(0).getRemoteConfig().getConfigHash())).build());
    assertThat(taken.hasRemoteConfig()).isFalse();
    for (long sequence = 11; sequence <= 17; sequence++) {
      assertThat(JdkClients.exchange(http, endpoint, AgentToServer.newBuilder().setInstanceUid(uid)
          .setSequenceNum(sequence).setCapabilities(capabilities).build()).hasRemoteConfig()).isFalse();
    }
  }

  @Test
  void aRolloutsProgressIsStreamedUntilItEnds() throws Exception {
    agents(2, 0);
    rollouts.version("pipeline", V1);
    long id = rollouts.start(Map.of("selector", "tier=web", "config", "pipeline", "version", 1, "waves", "1,100%",
        "bake", "500ms", "applyTimeout", "20s")).get("id").asLong();

    List<String> lines = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            fleet.adminUrl().resolve("/api/v1/rollouts/" + id + "/stream"))
            .header("Authorization", "Bearer " + TestFleet.VIEWER).build(),
        java.net.http.HttpResponse.BodyHandlers.ofLines()).body().toList();

    List<String> events = lines.stream().filter(line -> line.startsWith("data: ")).toList();
    assertThat(lines).contains("event: rollout");
    assertThat(events.size()).isGreaterThan(1);
    assertThat(events.get(events.size() - 1)).contains("\"state\":\"SUCCEEDED\"");
  }

  @Test
  void anotherCertificateCannotSpeakForABoundInstanceUid() {
    ByteString uid = SimulatedAgent.newUid();
    SimulatedAgent genuine = SimulatedAgent.builder(uid).overMutualTls(fleet.opampEndpoint(),
        fleet.clientKey("genuine"), fleet.ca().certificate()).labels(Map.of("service.name", "genuine")).build().start();
    await().atMost(Duration.ofSeconds(20)).until(() -> operator.get("/api/v1/agents?connected=true").body()
        .get("total").asInt() == 1);
    genuine.close();

    SimulatedAgent impostor = SimulatedAgent.builder(uid).overMutualTls(fleet.opampEndpoint(),
        fleet.clientKey("impostor"), fleet.ca().certificate()).labels(Map.of("service.name", "impostor")).build().start();
    agents.add(impostor);

    await().atMost(Duration.ofSeconds(20)).until(() -> !impostor.errors.isEmpty());
    assertThat(impostor.errors.get(0).getErrorMessage()).contains("bound to another client certificate");
    JsonNode detail = operator.get("/api/v1/agents/" + genuine.uid()).body();
    assertThat(detail.get("certificate").get("subject").asText()).contains("CN=genuine");
    assertThat(detail.get("identifyingAttributes").get("service.name").asText()).isEqualTo("genuine");
    // The refusal is answered at once; its event is written with the next batch.
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(operator.get("/api/v1/agents/"
        + genuine.uid() + "/events").body().toString()).contains("CERTIFICATE_REFUSED"));
  }

  @Test
  void underTheDefaultIdentityACertificateMustNameItsUidAndOneThatDoesNotLeavesNothingBehind() {
    fleet.requiringUidInCertificates().restart();
    SimulatedAgent named = agent(Map.of("service.name", "named"));
    ByteString uid = SimulatedAgent.newUid();
    SimulatedAgent other = SimulatedAgent.builder(uid).overMutualTls(fleet.opampEndpoint(),
        fleet.clientKey("someone-else"), fleet.ca().certificate()).labels(Map.of("service.name", "other")).build().start();
    agents.add(other);

    await().atMost(Duration.ofSeconds(20)).until(() -> !other.errors.isEmpty());
    assertThat(other.errors.get(0).getErrorMessage())
        .isEqualTo("refused: the client certificate's common name is not the instance uid");
    await().atMost(Duration.ofSeconds(20)).until(() -> operator.get("/api/v1/agents?connected=true").body()
        .get("total").asInt() == 1);
    assertThat(operator.get("/api/v1/agents/" + named.uid()).status()).isEqualTo(200);
    assertThat(operator.get("/api/v1/agents/" + InstanceUid.text(uid)).status()).isEqualTo(404);
    assertThat(operator.get("/api/v1/agents").body().get("total").asInt()).isEqualTo(1);
  }

  private ContribAgent contrib(String identity) {
    return ContribAgent.mutualTls(URI.create(fleet.opampEndpoint().toString().replaceFirst("^wss:", "https:")),
        fleet.clientKey(identity), fleet.ca().certificate(), "contrib");
  }

  private SimulatedAgent agent(Map<String, String> labels) {
    ByteString uid = SimulatedAgent.newUid();
    SimulatedAgent agent = fleet.agent(labels, uid, false).start();
    agents.add(agent);
    return agent;
  }

  /** {@code count} agents labelled tier=web; the first {@code fragile} of them in uid order fail fragile configs. */
  private List<SimulatedAgent> agents(int count, int fragile) {
    List<ByteString> uids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      uids.add(SimulatedAgent.newUid());
    }
    uids.sort(Comparator.comparing(io.opampfleet.netty.InstanceUid::text));
    List<SimulatedAgent> started = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      SimulatedAgent agent = fleet.agent(Map.of("service.name", "web-" + i, "tier", "web"), uids.get(i),
          i < fragile).start();
      agents.add(agent);
      started.add(agent);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> operator.get("/api/v1/agents?connected=true&selector=tier=web")
        .body().get("total").asInt() == count);
    return started;
  }

}

package io.opampfleet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.RolloutSteps;
import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.simulated.SimulatedAgent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollouts on a fleet as it really is: agents that never had a config from the server, and agents
 * that are away when the rollout starts.
 */
class RolloutsOnANewFleetIT {
  private static final String GOOD = "receivers:\n  otlp:\nexporters:\n  debug:\nservice:\n  pipelines:\n"
      + "    traces:\n      receivers: [otlp]\n      exporters: [debug]\n";
  private static final String REFUSED = GOOD + "# fail\n";

  @TempDir
  Path dir;
  private TestFleet fleet;
  private AdminClient operator;
  private RolloutSteps rollouts;
  private final List<SimulatedAgent> agents = new ArrayList<>();

  @BeforeEach
  void startServer() {
    fleet = new TestFleet(dir).start();
    operator = fleet.admin(TestFleet.OPERATOR);
    rollouts = new RolloutSteps(operator);
  }

  @AfterEach
  void stopAll() {
    agents.forEach(SimulatedAgent::close);
    fleet.close();
  }

  @Test
  void aFirstRolloutTheFleetRefusesRollsBackToTheLocalConfigAndIsNeverOfferedAgain() {
    List<SimulatedAgent> fleetAgents = connected(3);
    rollouts.version("pipeline", REFUSED);

    JsonNode done = rollouts.awaitEnd(rollouts.start(Map.of("selector", "tier=web", "config", "pipeline",
        "version", 1, "failureBudget", "0", "applyTimeout", "20s")).get("id").asLong());

    assertThat(done.get("state").asText()).isEqualTo("ROLLED_BACK");
    assertThat(done.get("counts").get("ROLLED_BACK").asInt()).isEqualTo(3);
    assertThat(done.get("failing").get(0).get("message").asText()).contains("back on its local config");
    JsonNode listed = operator.get("/api/v1/agents?selector=tier=web").body().get("agents");
    assertThat(listed).hasSize(3).allSatisfy(agent -> assertThat(agent.get("desiredConfig").isNull()).isTrue());
    assertThat(fleetAgents).allSatisfy(agent -> assertThat(agent.running()).isEmpty());
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      JsonNode history = operator.get("/api/v1/agents/" + fleetAgents.get(1).uid() + "/rollouts").body();
      assertThat(history).hasSize(1);
      assertThat(history.get(0).get("offered").asText()).isEqualTo("pipeline@1");
      assertThat(history.get(0).get("result").asText()).isEqualTo("ROLLED_BACK");
      assertThat(history.get(0).get("reason").asText()).contains("reported FAILED", "back on its local config");
      assertThat(history.get(0).get("wentBackTo").asText()).isEqualTo("its local config");
    });

    SimulatedAgent returning = fleetAgents.get(0);
    returning.close();
    awaitConnected(2);
    returning.received.clear();
    returning.start();
    awaitOfferedNothing(returning);
  }

  @Test
  void anAgentThatRanTheVersionAndWasAwayForTheRollbackDropsItOnReturnAndNoAssignmentTakesItBack() {
    SimulatedAgent agent = connected(1).get(0);
    rollouts.version("pipeline", GOOD);
    long id = rollouts.start(Map.of("selector", "tier=web", "config", "pipeline", "version", 1, "bake", "60s",
        "failureBudget", "0", "applyTimeout", "5s")).get("id").asLong();
    await().atMost(Duration.ofSeconds(20)).until(() -> agent.running().equals(GOOD));

    // Away during the bake for longer than the apply timeout: the rollout rolls back while it is away.
    agent.close();
    assertThat(operator.put("/api/v1/assignments/web", Map.of("selector", "tier=web", "config", "pipeline",
        "version", 1)).body().get("applied").asInt()).as("the agent is held by the rollout").isZero();
    await().atMost(Duration.ofSeconds(20)).until(() ->
        operator.get("/api/v1/rollouts/" + id).body().get("state").asText().equals("ROLLING_BACK"));
    agent.start();
    JsonNode done = rollouts.awaitEnd(id);

    assertThat(done.get("state").asText()).isEqualTo("ROLLED_BACK");
    assertThat(agent.running()).as("told on its return to drop the remote config").isEmpty();
    JsonNode listed = operator.get("/api/v1/agents?selector=tier=web").body().get("agents").get(0);
    assertThat(listed.get("desiredConfig").isNull()).isTrue();
    assertThat(listed.get("desiresLocalConfig").asBoolean()).isTrue();
    agent.close();
    awaitConnected(0);
    agent.received.clear();
    agent.start();
    awaitOfferedNothing(agent);
  }

  @Test
  void anAgentAwayWhenTheRolloutStartsWaitsPendingAndGetsTheVersionOnceItSucceeded() {
    SimulatedAgent away = oneOfThreeAway();
    rollouts.version("pipeline", GOOD);

    JsonNode started = rollouts.start(Map.of("selector", "tier=web", "config", "pipeline", "version", 1,
        "waves", "1,100%", "failureBudget", "0", "applyTimeout", "20s"));
    assertThat(started.get("counts").get("PENDING").asInt()).isEqualTo(1);
    assertThat(started.get("waveProgress")).hasSize(2);
    assertThat(started.get("reason").asText()).contains("1 matched agents are offline");
    JsonNode done = rollouts.awaitEnd(started.get("id").asLong());

    assertThat(done.get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(done.get("reason").asText()).isEqualTo("2 of 2 agents run pipeline@1; 1 offline agents get it when"
        + " they connect; 1 matched agents are offline: they wait, pending, and get the version when they connect"
        + " if the rollout succeeds");
    away.start();
    await().atMost(Duration.ofSeconds(20)).until(() -> away.running().equals(GOOD));
  }

  @Test
  void aRolloutThatIncludesOfflineAgentsWaitsForOneThatReturnsWithinTheDeadline() {
    SimulatedAgent away = oneOfThreeAway();
    rollouts.version("pipeline", GOOD);

    JsonNode started = rollouts.start(Map.of("selector", "tier=web", "config", "pipeline", "version", 1,
        "failureBudget", "0", "applyTimeout", "5s", "offlineDeadline", "60s"));
    assertThat(started.get("counts").get("PENDING").asInt()).isZero();
    assertThat(started.get("offlineDeadlineMillis").asLong()).isEqualTo(60_000);
    assertThat(started.get("reason").asText()).isEqualTo("1 matched agents are offline: they are in the waves, and"
        + " one still offline 60 s after its wave started counts as failed");
    await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(10)).until(() ->
        operator.get("/api/v1/rollouts/" + started.get("id").asLong()).body().get("state").asText().equals("RUNNING"));
    away.start();
    JsonNode done = rollouts.awaitEnd(started.get("id").asLong());

    assertThat(done.get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(done.get("counts").get("DONE").asInt()).isEqualTo(3);
    assertThat(away.running()).isEqualTo(GOOD);
  }

  @Test
  void anAgentAwayDuringARolloutThatRollsBackGetsNothingWhenItReturns() {
    SimulatedAgent away = oneOfThreeAway();
    rollouts.version("pipeline", REFUSED);

    JsonNode done = rollouts.awaitEnd(rollouts.start(Map.of("selector", "tier=web", "config", "pipeline",
        "version", 1, "failureBudget", "0", "applyTimeout", "20s")).get("id").asLong());
    assertThat(done.get("state").asText()).isEqualTo("ROLLED_BACK");
    assertThat(done.get("counts").get("PENDING").asInt()).isEqualTo(1);

    away.received.clear();
    away.start();
    awaitOfferedNothing(away);
    assertThat(operator.get("/api/v1/agents/" + away.uid()).body().get("desiredConfig").isNull()).isTrue();
  }

  @Test
  void anAgentThatRefusesWhatTheServerWantsIsCountedAsDriftedWithTheReasonAndADiff() {
    List<SimulatedAgent> fleetAgents = connected(2);
    rollouts.version("pipeline", GOOD);
    rollouts.version("pipeline", REFUSED);
    SimulatedAgent refusing = fleetAgents.get(0);
    assertThat(operator.post("/api/v1/agents/" + fleetAgents.get(1).uid() + "/config",
        Map.of("config", "pipeline", "version", 1)).status()).isEqualTo(201);
    assertThat(operator.post("/api/v1/agents/" + refusing.uid() + "/config",
        Map.of("config", "pipeline", "version", 2)).status()).isEqualTo(201);

    await().atMost(Duration.ofSeconds(20)).until(() -> operator.get("/api/v1/fleet").body().get("drifted").asInt() == 1);
    JsonNode drifted = operator.get("/api/v1/agents?drift=true").body();
    assertThat(drifted.get("total").asInt()).isEqualTo(1);
    assertThat(drifted.get("agents").get(0).get("uid").asText()).isEqualTo(refusing.uid());
    assertThat(drifted.get("agents").get(0).get("drift").asText())
        .isEqualTo("refused pipeline@2: the collector refused the config: unknown component");
    assertThat(operator.get("/api/v1/agents?drift=false&selector=tier=web").body().get("total").asInt()).isEqualTo(1);
    assertThat(operator.get("/api/v1/agents?drift=maybe").status()).isEqualTo(400);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
        operator.get("/api/v1/agents/" + refusing.uid() + "/events").body().toString())
        .contains("DRIFTED", "refused pipeline@2", "--- pipeline@2", "+++ effective", "-# fail"));
    // The fleet's counts in /metrics are at most a second old.
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
        fleet.admin(TestFleet.VIEWER).get("/metrics").body().asText()).contains("opamp_agents_drifted 1\n"));
  }

  @Test
  void aRolloutWhoseApplyTimeoutAnAgentPollingOverHttpCannotMeetIsRefusedWithWhatToSet() {
    connected(1);
    SimulatedAgent polling = fleet.agent(Map.of("service.name", "poller", "tier", "web"), SimulatedAgent.newUid(), false)
        .overHttpEvery(Duration.ofSeconds(3)).start();
    agents.add(polling);
    awaitConnected(2);
    await().atMost(Duration.ofSeconds(20)).until(() -> operator.get("/api/v1/agents/" + polling.uid()).body()
        .path("pollIntervalMillis").asLong() >= 2_500);
    rollouts.version("pipeline", GOOD);

    AdminClient.Answer refused = operator.post("/api/v1/rollouts", Map.of("selector", "tier=web", "config", "pipeline",
        "version", 1, "applyTimeout", "4s"));

    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.body().get("error").asText()).startsWith("1 matched agents poll over HTTP too seldom to apply"
        + " within the apply timeout of 4 s (agent " + polling.uid() + " polls about every 3 s, and needs two polls);"
        + " set applyTimeout to at least ").matches(".* at least [67]s, or leave those agents out with the selector");
    JsonNode started = rollouts.start(Map.of("selector", "tier=web", "config", "pipeline", "version", 1,
        "applyTimeout", "20s"));
    assertThat(rollouts.awaitEnd(started.get("id").asLong()).get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(polling.running()).isEqualTo(GOOD);
  }

  @Test
  void aConfigNamingComponentsAnAgentLacksIsNeverSentToIt() {
    SimulatedAgent unknown = connected(1).get(0);
    SimulatedAgent lacking = fleet.agent(Map.of("service.name", "no-kafka", "tier", "web"), SimulatedAgent.newUid(),
        false).withComponents(io.opampfleet.proto.AvailableComponents.newBuilder()
            .putComponents("receivers", types("otlp")).putComponents("exporters", types("debug", "otlp"))
            .setHash(com.google.protobuf.ByteString.copyFromUtf8("components-1")).build()).start();
    agents.add(lacking);
    awaitConnected(2);
    await().atMost(Duration.ofSeconds(20)).until(() -> operator.get("/api/v1/agents/" + lacking.uid()).body()
        .path("availableComponents").isArray());
    rollouts.version("kafka", GOOD.replace("debug:", "kafka:").replace("[debug]", "[kafka]"));

    AdminClient.Answer pushed = operator.post("/api/v1/agents/" + lacking.uid() + "/config",
        Map.of("config", "kafka", "version", 1));
    assertThat(pushed.status()).isEqualTo(422);
    assertThat(pushed.body().get("error").asText()).isEqualTo("agent " + lacking.uid() + " lacks components kafka@1"
        + " names: exporters/kafka (they are not among the components it reports); nothing was sent");
    AdminClient.Answer refused = operator.post("/api/v1/rollouts", Map.of("selector", "tier=web", "config", "kafka",
        "version", 1, "incompatible", "refuse", "applyTimeout", "20s"));
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.body().get("error").asText()).contains("1 matched agents lack components kafka@1 names (agent "
        + lacking.uid() + " lacks exporters/kafka)");

    JsonNode preview = operator.post("/api/v1/rollouts/preview", Map.of("selector", "tier=web", "config", "kafka",
        "version", 1, "applyTimeout", "20s")).body();
    assertThat(preview.get("refused").isNull()).isTrue();
    assertThat(preview.get("agents").asInt()).isEqualTo(1);
    assertThat(preview.get("reason").asText()).contains("agent " + lacking.uid() + " lacks exporters/kafka");
    assertThat(operator.post("/api/v1/rollouts/preview", Map.of("selector", "tier=web", "config", "kafka",
        "version", 1, "incompatible", "refuse", "applyTimeout", "20s")).body().get("refused").asText())
        .contains("1 matched agents lack components kafka@1 names");
    assertThat(operator.get("/api/v1/rollouts").body()).as("a preview starts nothing").isEmpty();
    JsonNode started = rollouts.start(Map.of("selector", "tier=web", "config", "kafka", "version", 1,
        "applyTimeout", "20s"));
    assertThat(started.get("agents").asInt()).isEqualTo(1);
    assertThat(started.get("reason").asText()).contains("1 matched agents lack components the config names and are"
        + " left out (agent " + lacking.uid() + " lacks exporters/kafka)");
    assertThat(rollouts.awaitEnd(started.get("id").asLong()).get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(unknown.running()).contains("kafka:");
    JsonNode assigned = operator.put("/api/v1/assignments/kafka", Map.of("selector", "tier=web", "config", "kafka",
        "version", 1)).body();
    assertThat(assigned.get("incompatible")).extracting(JsonNode::asText)
        .containsExactly("agent " + lacking.uid() + " lacks exporters/kafka");
    lacking.close();
    awaitConnected(1);
    lacking.start();
    awaitConnected(2);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(operator.get("/api/v1/agents/"
        + lacking.uid() + "/events").body().toString()).contains("INCOMPATIBLE", "lacks: exporters/kafka"));
    assertThat(lacking.received).noneMatch(ServerToAgent::hasRemoteConfig);

    // A new agent's first message has its components' hash only: the assignment waits for the list.
    SimulatedAgent newcomer = fleet.agent(Map.of("service.name", "no-kafka", "tier", "web"), SimulatedAgent.newUid(),
        false).withComponents(io.opampfleet.proto.AvailableComponents.newBuilder()
            .putComponents("receivers", types("otlp")).putComponents("exporters", types("debug", "otlp"))
            .setHash(com.google.protobuf.ByteString.copyFromUtf8("components-1")).build()).start();
    agents.add(newcomer);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(operator.get("/api/v1/agents/"
        + newcomer.uid() + "/events").body().toString()).contains("INCOMPATIBLE", "lacks: exporters/kafka"));
    assertThat(newcomer.received).noneMatch(ServerToAgent::hasRemoteConfig);
  }

  @Test
  void stagesBySelectorRollOutTheWayTeamsStageEachWithItsBakeTime() throws Exception {
    Map<String, SimulatedAgent> byEnv = new java.util.LinkedHashMap<>();
    for (String env : List.of("dev", "prod", "test")) {
      SimulatedAgent agent = fleet.agent(Map.of("service.name", "svc-" + env, "tier", "web", "env", env),
          SimulatedAgent.newUid(), false).start();
      agents.add(agent);
      byEnv.put(env, agent);
    }
    awaitConnected(3);
    rollouts.version("pipeline", GOOD);

    JsonNode started = rollouts.start(Map.of("selector", "tier=web", "config", "pipeline", "version", 1,
        "applyTimeout", "20s", "stages", List.of(Map.of("selector", "env=dev", "bake", "1s"),
            Map.of("selector", "env in (prod)", "bake", "0s"))));
    assertThat(started.get("agents").asInt()).isEqualTo(2);
    assertThat(started.get("reason").asText()).isEqualTo("1 matched agents are in no stage and are left out");
    assertThat(started.get("waveProgress")).extracting(wave -> wave.get("selector").asText() + " "
        + wave.get("bakeMillis").asLong()).containsExactly("env=dev 1000", "env in (prod) 0");
    JsonNode done = rollouts.awaitEnd(started.get("id").asLong());

    assertThat(done.get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(byEnv.get("dev").running()).isEqualTo(GOOD);
    assertThat(byEnv.get("prod").running()).isEqualTo(GOOD);
    assertThat(byEnv.get("test").running()).isEmpty();
    assertThat(operator.post("/api/v1/rollouts", Map.of("selector", "tier=web", "config", "pipeline", "version", 1,
        "waves", "50%", "stages", List.of(Map.of("selector", "env=dev")))).body().get("error").asText())
        .isEqualTo("give waves (shares or counts) or stages (selectors), not both");
    // Fields given as null are left out, as the document says (a client that writes every field of its record).
    // The agent no stage took: the others' rollout may still be letting them go.
    AdminClient.Answer withNulls = operator.post("/api/v1/rollouts/preview", new ObjectMapper().readTree("""
        {"selector": "env=test", "config": "pipeline", "version": 1, "waves": null, "bake": null, "stages": null,
         "package": null, "offlineDeadline": null, "incompatible": null}"""));
    assertThat(withNulls.status()).as(withNulls.body().toString()).isEqualTo(200);
    assertThat(withNulls.body().get("refused").isNull()).as(withNulls.body().toString()).isTrue();
    assertThat(withNulls.body().get("agents").asInt()).isEqualTo(1);
  }

  @Test
  void anAgentOfANewBuildIsAskedForItsNewComponents() {
    SimulatedAgent upgraded = fleet.agent(Map.of("service.name", "upgraded", "tier", "web"), SimulatedAgent.newUid(),
        false).withComponents(io.opampfleet.proto.AvailableComponents.newBuilder()
            .putComponents("exporters", types("debug"))
            .setHash(com.google.protobuf.ByteString.copyFromUtf8("build-1")).build()).start();
    agents.add(upgraded);
    await().atMost(Duration.ofSeconds(20)).until(() -> operator.get("/api/v1/agents/" + upgraded.uid()).body()
        .path("availableComponents").toString().contains("exporters"));

    // Back on a new collector build: its first message names the new list by hash only.
    upgraded.close();
    upgraded.withComponents(io.opampfleet.proto.AvailableComponents.newBuilder()
        .putComponents("exporters", types("debug")).putComponents("receivers", types("otlp"))
        .setHash(com.google.protobuf.ByteString.copyFromUtf8("build-2")).build()).start();

    await().atMost(Duration.ofSeconds(20)).until(() -> operator.get("/api/v1/agents/" + upgraded.uid()).body()
        .path("availableComponents").toString().contains("receivers"));
  }

  private static io.opampfleet.proto.ComponentDetails types(String... names) {
    io.opampfleet.proto.ComponentDetails.Builder details = io.opampfleet.proto.ComponentDetails.newBuilder();
    for (String name : names) {
      details.putSubComponentMap(name, io.opampfleet.proto.ComponentDetails.getDefaultInstance());
    }
    return details.build();
  }

  /** Three agents have connected; the last of them has gone away again. */
  private SimulatedAgent oneOfThreeAway() {
    SimulatedAgent away = connected(3).get(2);
    away.close();
    awaitConnected(2);
    return away;
  }

  /** Connected again, and for two seconds after no remote config arrives. */
  private void awaitOfferedNothing(SimulatedAgent agent) {
    awaitConnected(agents.size());
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
        .until(() -> agent.received.stream().noneMatch(ServerToAgent::hasRemoteConfig));
  }

  private void awaitConnected(int count) {
    await().atMost(Duration.ofSeconds(20)).until(() -> operator.get("/api/v1/agents?connected=true&selector=tier=web")
        .body().get("total").asInt() == count);
  }

  /** Agents labelled tier=web that never had a config from the server, all connected. */
  private List<SimulatedAgent> connected(int count) {
    List<SimulatedAgent> started = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      SimulatedAgent agent = fleet.agent(Map.of("service.name", "web-" + i, "tier", "web"), SimulatedAgent.newUid(),
          false).start();
      agents.add(agent);
      started.add(agent);
    }
    awaitConnected(count);
    return started;
  }
}

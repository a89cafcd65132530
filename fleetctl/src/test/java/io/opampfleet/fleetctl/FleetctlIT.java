package io.opampfleet.fleetctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.simulated.SimulatedAgent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fleetctl against a real server: config-as-code applied, diffed and pruned, listings, and each way to fail. */
class FleetctlIT {
  private static final String GATEWAY = "receivers:\n  otlp:\n    protocols:\n      grpc: {}\nexporters:\n  debug: {}\n"
      + "service:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [debug]\n";
  private static final String EDGE = "receivers:\n  hostmetrics: {}\nexporters:\n  debug: {}\n";

  @TempDir
  Path dir;
  private TestFleet fleet;
  private AdminClient operator;
  private final List<SimulatedAgent> agents = new ArrayList<>();
  private Path repo;

  private record Run(int status, String out, String err) {}

  @BeforeEach
  void start() throws Exception {
    fleet = new TestFleet(dir.resolve("server")).start();
    operator = fleet.admin(TestFleet.OPERATOR);
    repo = Files.createDirectories(dir.resolve("fleet"));
    Files.createDirectories(repo.resolve("configs"));
    Files.writeString(repo.resolve("configs/gateway.yaml"), GATEWAY);
    Files.writeString(repo.resolve("configs/edge.yaml"), EDGE);
    Files.writeString(repo.resolve("assignments.yaml"), """
        prod-gateways:
          selector: role=gateway
          config: gateway
        edges:
          selector: role=edge
          config: edge
        """);
  }

  @AfterEach
  void stop() {
    agents.forEach(SimulatedAgent::close);
    fleet.close();
  }

  @Test
  void aDirectoryIsAppliedInOneGoAndASecondApplyChangesNothing() throws Exception {
    SimulatedAgent gateway = agent("gateway");
    SimulatedAgent edge = agent("edge");

    Run first = fleetctl("apply", "-f", repo.toString(), "-m", "commit abc123");
    assertThat(first.status()).as(first.err()).isZero();
    assertThat(first.out()).contains("config gateway: created (version 1)", "config edge: created (version 1)",
        "assignment prod-gateways: created (role=gateway -> gateway@1, sent to 1 of 1 agents)",
        "applied: 4 created");
    await().atMost(Duration.ofSeconds(20)).until(() -> GATEWAY.equals(gateway.running()) && EDGE.equals(edge.running()));
    assertThat(operator.get("/api/v1/configs/gateway/versions/1").body().get("comment").asText())
        .isEqualTo("commit abc123");

    Run again = fleetctl("apply", "-f", repo.toString());
    assertThat(again.status()).isZero();
    assertThat(again.out()).contains("applied: nothing to change (4 unchanged)");
    assertThat(operator.get("/api/v1/configs/gateway/versions").body()).hasSize(1);
    assertThat(fleetctl("diff", "-f", repo.toString()).status()).isZero();
  }

  @Test
  void aDiffShowsTheChangeAndExitsOneAndTheApplyMakesTheNextVersion() throws Exception {
    SimulatedAgent gateway = agent("gateway");
    assertThat(fleetctl("apply", "-f", repo.toString()).status()).isZero();
    String changed = GATEWAY.replace("debug: {}", "debug:\n    verbosity: detailed");
    Files.writeString(repo.resolve("configs/gateway.yaml"), changed);

    Run diff = fleetctl("diff", "-f", repo.toString());
    assertThat(diff.status()).isEqualTo(ExitCode.NOT_SO);
    assertThat(diff.out()).contains("config gateway: changed (version 2)", "--- gateway@1", "+++ gateway@2",
        "-  debug: {}", "+  debug:", "+    verbosity: detailed",
        "assignment prod-gateways: changed (role=gateway -> gateway@2, was role=gateway -> gateway@1");
    assertThat(operator.get("/api/v1/configs/gateway/versions").body()).hasSize(1);
    JsonNode json = new ObjectMapper().readTree(fleetctl("diff", "-f", repo.toString(), "-o", "json").out());
    assertThat(json.get("changed").asBoolean()).isTrue();
    assertThat(json.get("configs").findValuesAsText("action")).contains("changed", "unchanged");

    assertThat(fleetctl("apply", "-f", repo.toString()).status()).isZero();
    await().atMost(Duration.ofSeconds(20)).until(() -> changed.equals(gateway.running()));
    assertThat(fleetctl("diff", "-f", repo.toString()).status()).isZero();
  }

  @Test
  void anAssignmentLeftOutIsKeptAndListedUntilPruned() throws Exception {
    assertThat(fleetctl("apply", "-f", repo.toString()).status()).isZero();
    Files.writeString(repo.resolve("assignments.yaml"), "prod-gateways:\n  selector: role=gateway\n  config: gateway\n");

    Run kept = fleetctl("apply", "-f", repo.toString());
    assertThat(kept.out()).contains("not in the directory, kept (--prune deletes them): assignments edges");
    assertThat(names(operator.get("/api/v1/assignments").body())).containsExactly("edges", "prod-gateways");

    Run pruned = fleetctl("apply", "-f", repo.toString(), "--prune");
    assertThat(pruned.status()).isZero();
    assertThat(pruned.out()).contains("assignment edges: pruned", "applied: 1 pruned");
    assertThat(names(operator.get("/api/v1/assignments").body())).containsExactly("prod-gateways");
    // Configs are history: the one no assignment names any more is still there.
    assertThat(names(operator.get("/api/v1/configs").body())).contains("edge");
  }

  @Test
  void aRolloutIsStartedAndWatchedToItsEndAndOneThatFailsSaysSo() throws Exception {
    SimulatedAgent first = agent("gateway");
    SimulatedAgent second = agent("gateway");
    assertThat(fleetctl("apply", "-f", repo.toString()).status()).isZero();
    Files.writeString(repo.resolve("configs/gateway.yaml"), GATEWAY + "# v2\n");
    Files.writeString(repo.resolve("assignments.yaml"), "");
    assertThat(fleetctl("apply", "-f", repo.toString()).status()).isZero();

    Run good = fleetctl("rollout", "start", "--config", "gateway", "-l", "role=gateway", "--waves", "50%,100%",
        "--bake", "1s", "--watch");
    assertThat(good.status()).as(good.out() + good.err()).isZero();
    // Followed on the rollout's event stream: its progress on the way, not only its end.
    assertThat(good.out()).contains("started: gateway@2 to role=gateway (2 agents, waves 50%,100%)")
        .contains(" RUNNING, wave 1").contains("SUCCEEDED").contains("done 2");
    assertThat(first.running()).endsWith("# v2\n");

    Files.writeString(repo.resolve("configs/gateway.yaml"), GATEWAY + "# fail\n");
    assertThat(fleetctl("apply", "-f", repo.toString()).status()).isZero();
    Run bad = fleetctl("rollout", "start", "--config", "gateway@3", "-l", "role=gateway", "--failure-budget", "0",
        "--watch");
    assertThat(bad.status()).isEqualTo(ExitCode.NOT_SO);
    assertThat(bad.out()).contains("ROLLED_BACK");
    long id = new ObjectMapper().readTree(fleetctl("get", "rollouts", "-o", "json").out()).get(0).get("id").asLong();
    assertThat(fleetctl("rollout", "watch", String.valueOf(id)).status()).isIn(ExitCode.OK, ExitCode.NOT_SO);
    Run none = fleetctl("rollout", "watch", "987654");
    assertThat(none.status()).isEqualTo(ExitCode.REFUSED);
    assertThat(none.err()).contains("there is no rollout 987654");
    Run pause = fleetctl("rollout", "pause", String.valueOf(id));
    assertThat(pause.status()).isEqualTo(ExitCode.REFUSED);
    assertThat(pause.err()).isNotBlank();

    Run describe = fleetctl("describe", "agent", second.uid());
    assertThat(describe.out()).contains("UID:            " + second.uid(), "Connected:      yes", "role=gateway");
    assertThat(fleetctl("push", second.uid(), "gateway@1").out()).contains("sent gateway@1 to " + second.uid());
    await().atMost(Duration.ofSeconds(20)).until(() -> GATEWAY.equals(second.running()));
    assertThat(fleetctl("restart", second.uid()).status()).isZero();
    Run unknown = fleetctl("describe", "agent", "no-such-agent");
    assertThat(unknown.status()).isEqualTo(ExitCode.REFUSED);
  }

  @Test
  void aPinnedAssignmentHoldsItsVersionWhileARolloutMovesTheAgentsOn() throws Exception {
    SimulatedAgent gateway = agent("gateway");
    Files.writeString(repo.resolve("assignments.yaml"), "prod-gateways:\n  selector: role=gateway\n  config: gateway@1\n");
    assertThat(fleetctl("apply", "-f", repo.toString()).status()).isZero();
    await().atMost(Duration.ofSeconds(20)).until(() -> GATEWAY.equals(gateway.running()));
    String next = GATEWAY + "# next\n";
    Files.writeString(repo.resolve("configs/gateway.yaml"), next);

    Run added = fleetctl("apply", "-f", repo.toString());
    assertThat(added.out()).contains("config gateway: changed (version 2)").doesNotContain("assignment prod-gateways");
    Thread.sleep(1_000);
    assertThat(gateway.running()).isEqualTo(GATEWAY);

    Run rollout = fleetctl("rollout", "start", "--config", "gateway", "-l", "role=gateway", "--watch");
    assertThat(rollout.status()).as(rollout.out()).isZero();
    assertThat(gateway.running()).isEqualTo(next);
    Files.writeString(repo.resolve("assignments.yaml"), "prod-gateways:\n  selector: role=gateway\n  config: gateway@2\n");
    assertThat(fleetctl("apply", "-f", repo.toString()).out())
        .contains("assignment prod-gateways: changed (role=gateway -> gateway@2, was role=gateway -> gateway@1");

    Files.writeString(repo.resolve("assignments.yaml"), "prod-gateways:\n  selector: role=gateway\n  config: gateway@9\n");
    Run past = fleetctl("apply", "-f", repo.toString());
    assertThat(past.status()).isEqualTo(ExitCode.REFUSED);
    assertThat(past.err()).contains("pins gateway@9, past its latest version 2");
  }

  @Test
  void theReadmesExampleDirectoryApplies() {
    Path example = Path.of(System.getProperty("user.dir")).resolve("../examples/fleet-as-code").normalize();
    Run diff = fleetctl("diff", "-f", example.toString());
    assertThat(diff.status()).as(diff.err()).isEqualTo(ExitCode.NOT_SO);
    assertThat(diff.out()).contains("config gateway: created (version 1)", "would apply: 4 created");
    assertThat(fleetctl("apply", "-f", example.toString()).status()).isZero();
    assertThat(fleetctl("diff", "-f", example.toString()).status()).isZero();
  }

  @Test
  void listingsComeAsTablesOrAsJsonAndYamlForScripts() throws Exception {
    SimulatedAgent gateway = agent("gateway");
    assertThat(fleetctl("apply", "-f", repo.toString()).status()).isZero();

    Run table = fleetctl("get", "agents", "-l", "role=gateway");
    assertThat(table.out().lines().findFirst().orElseThrow()).startsWith("UID").contains("CONNECTED", "CONFIG", "LABELS");
    assertThat(table.out()).contains(gateway.uid(), "gateway@1", "role=gateway");
    JsonNode json = new ObjectMapper().readTree(fleetctl("get", "agents", "-o", "json").out());
    assertThat(json).hasSize(1);
    assertThat(json.get(0).get("uid").asText()).isEqualTo(gateway.uid());
    assertThat(fleetctl("get", "assignments", "-o", "yaml").out()).contains("name: edges", "selector: role=edge");
    assertThat(fleetctl("get", "configs").out()).contains("NAME", "gateway", "edge");
    assertThat(fleetctl("get", "rollouts").out().strip()).startsWith("ID").doesNotContain("\n");
  }

  @Test
  void eachMistakeIsSaidWithItsExitStatusAndChangesNothing() throws Exception {
    Path settings = Files.writeString(dir.resolve("fleetctl.yaml"), "server: " + fleet.adminUrl() + "\ntoken: "
        + TestFleet.VIEWER + "\n");
    Run fromSettings = run(Map.of(), "get", "configs", "--settings", settings.toString());
    assertThat(fromSettings.status()).as(fromSettings.err()).isZero();
    Run flagBeatsFile = run(Map.of(), "--settings", settings.toString(), "--token", "not-a-token", "get", "configs");
    assertThat(flagBeatsFile.status()).isEqualTo(ExitCode.REFUSED);

    Run noToken = run(Map.of("FLEET_SERVER", fleet.adminUrl().toString()), "get", "agents");
    assertThat(noToken.status()).isEqualTo(ExitCode.USAGE);
    assertThat(noToken.err()).contains("no token");

    Run wrongToken = run(Map.of("FLEET_SERVER", fleet.adminUrl().toString(), "FLEET_TOKEN", "not-a-token"),
        "get", "agents");
    assertThat(wrongToken.status()).isEqualTo(ExitCode.REFUSED);
    assertThat(wrongToken.err()).contains("the token is not known");

    Run viewer = run(Map.of("FLEET_SERVER", fleet.adminUrl().toString(), "FLEET_TOKEN", TestFleet.VIEWER),
        "apply", "-f", repo.toString());
    assertThat(viewer.status()).isEqualTo(ExitCode.REFUSED);

    Run unreachable = run(Map.of("FLEET_TOKEN", TestFleet.OPERATOR), "--server", "http://127.0.0.1:1", "get", "configs");
    assertThat(unreachable.status()).isEqualTo(ExitCode.UNREACHABLE);
    assertThat(unreachable.err()).contains("no answer from http://127.0.0.1:1");

    Files.writeString(repo.resolve("configs/broken.yaml"), "receivers:\n  otlp: {\n");
    Run broken = fleetctl("apply", "-f", repo.toString());
    assertThat(broken.status()).isEqualTo(ExitCode.USAGE);
    assertThat(broken.err()).contains("configs/broken.yaml:2:");
    Files.delete(repo.resolve("configs/broken.yaml"));

    Files.writeString(repo.resolve("assignments.yaml"), "edges:\n  selector: role=edge\n  confg: edge\n");
    Run typo = fleetctl("apply", "-f", repo.toString());
    assertThat(typo.status()).isEqualTo(ExitCode.USAGE);
    assertThat(typo.err()).contains("assignments.yaml: edges::config: must be specified");

    // The server finds this one: all or nothing, so the configs beside it are not written either.
    Files.writeString(repo.resolve("assignments.yaml"), "edges:\n  selector: role=edge\n  config: missing\n");
    Run unknown = fleetctl("apply", "-f", repo.toString());
    assertThat(unknown.status()).isEqualTo(ExitCode.REFUSED);
    assertThat(unknown.err()).contains("assignment 'edges' names config 'missing'");

    Files.writeString(repo.resolve("assignments.yaml"), "edges:\n  selector: 'role in (edge'\n  config: edge\n");
    Run selector = fleetctl("apply", "-f", repo.toString());
    assertThat(selector.status()).isEqualTo(ExitCode.REFUSED);
    assertThat(selector.err()).contains("assignment 'edges'");

    assertThat(operator.get("/api/v1/configs").body()).isEmpty();
    assertThat(operator.get("/api/v1/assignments").body()).isEmpty();
  }

  private SimulatedAgent agent(String role) {
    SimulatedAgent agent = fleet.agent(Map.of("service.name", role, "role", role), SimulatedAgent.newUid(), false)
        .start();
    agents.add(agent);
    await().atMost(Duration.ofSeconds(20)).until(() -> operator.get("/api/v1/agents/" + agent.uid()).status() == 200);
    return agent;
  }

  private Run fleetctl(String... args) {
    return run(Map.of("FLEET_SERVER", fleet.adminUrl().toString(), "FLEET_TOKEN", TestFleet.OPERATOR), args);
  }

  private Run run(Map<String, String> environment, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Fleetctl.run(args, environment, new PrintWriter(out), new PrintWriter(err));
    return new Run(status, out.toString(), err.toString());
  }

  private static List<String> names(JsonNode list) {
    List<String> names = new ArrayList<>();
    list.forEach(item -> names.add(item.get("name").asText()));
    return names.stream().sorted().toList();
  }
}

package io.opampfleet.harness.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opampfleet.server.fleet.TestFleet;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The loadtest command at a small size, over mutual TLS with a certificate per agent, against our server. */
class LoadtestIT {
  private static final int AGENTS = 200;

  @TempDir
  Path dir;
  private TestFleet fleet;

  @BeforeEach
  void startServer() {
    fleet = new TestFleet(dir.resolve("server")).start();
  }

  @AfterEach
  void stopServer() {
    fleet.close();
  }

  @Test
  void aRolloutReachesEveryAgentAndAFailingOneIsRolledBack() throws Exception {
    assertThat(loadtest(dir.resolve("run-1"))).isZero();
    JsonNode first = results(dir.resolve("run-1"));
    assertThat(first.get("connected").asInt()).isEqualTo(AGENTS);
    assertThat(first.get("applied").asInt()).isEqualTo(AGENTS);
    assertThat(first.get("rollout").get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(first.get("appliedMillis").get("count").asInt()).isEqualTo(AGENTS);
    assertThat(first.get("appliedMillis").get("p99").asDouble()).isPositive();
    // Recorded by the server comes after reported by the agent, for each agent, so at every percentile.
    assertThat(first.get("recordedMillis").get("count").asInt()).isEqualTo(AGENTS);
    assertThat(first.get("recordedMillis").get("p50").asDouble())
        .isGreaterThanOrEqualTo(first.get("appliedMillis").get("p50").asDouble());
    assertThat(first.get("partial").asBoolean()).isFalse();
    assertThat(first.get("serverMetrics").get("opamp_agents_connected").asInt()).isEqualTo(AGENTS);
    assertThat(first.get("tlsHandshakeMillis").get("count").asInt()).isGreaterThanOrEqualTo(AGENTS);
    assertThat(first.get("connectsPerSecond").asDouble()).isPositive();
    assertThat(first.get("progress").get("applied")).isNotEmpty();
    assertThat(Files.readString(dir.resolve("run-1").resolve("report.html"))).startsWith("<!doctype html>")
        .contains("<svg", "<polyline", "SUCCEEDED").doesNotContain("<script", "src=\"http", "href=\"http")
        .endsWith("</html>\n");

    assertThat(loadtest(dir.resolve("run-2"), "--fail-fraction", "0.2", "--waves", "50%,100%")).isZero();
    JsonNode second = results(dir.resolve("run-2"));
    assertThat(second.get("rollout").get("state").asText()).isEqualTo("ROLLED_BACK");
    assertThat(second.get("rollout").get("reason").asText()).contains("over the failure budget of 0");
    assertThat(second.get("failed").asInt()).isPositive();
    assertThat(second.get("progress").get("marks").toString()).contains("wave 1", "ROLLED_BACK");
  }

  @Test
  void anAdminApiThatIsGoneStillLeavesAPartialReport() throws Exception {
    int exit = loadtest(dir.resolve("partial"), "--admin-url", "http://127.0.0.1:1");

    assertThat(exit).isEqualTo(2);
    JsonNode partial = results(dir.resolve("partial"));
    assertThat(partial.get("partial").asBoolean()).isTrue();
    assertThat(partial.get("connected").asInt()).isEqualTo(AGENTS);
    assertThat(Files.readString(dir.resolve("partial").resolve("report.html"))).contains("Partial results");
  }

  @Test
  void observeModeMeasuresARolloutSomeoneElseStartsWhileAgentsChurn() throws Exception {
    Path report = dir.resolve("observed");
    List<String> args = new ArrayList<>(List.of("--endpoint", fleet.opampEndpoint().toString(),
        "--agents", "100", "--ramp", "400", "--ca", dir.resolve("server/ca.pem").toString(),
        "--ca-key", dir.resolve("server/ca-key.pem").toString(), "--cert-cache", dir.resolve("certs").toString(),
        "--observe", "--duration", "60", "--status-churn", "1", "--reconnect-churn", "0.3",
        "--headers", "X-Loadtest=1", "--apply-delay", "uniform:10-50", "--report", report.toString()));
    java.util.concurrent.CompletableFuture<Integer> run = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> new CommandLine(new LoadtestCommand()).execute(args.toArray(String[]::new)));
    var operator = fleet.admin(TestFleet.OPERATOR);
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() ->
        operator.get("/api/v1/agents?connected=true&selector=loadtest=true").body().get("total").asInt() == 100);
    operator.post("/api/v1/configs/observed/versions", java.util.Map.of("body", "receivers: {}\n"));

    assertThat(operator.post("/api/v1/rollouts", java.util.Map.of("selector", "loadtest=true", "config", "observed",
        "version", 1, "applyTimeout", "60s")).status()).isEqualTo(201);

    assertThat(run.get(90, java.util.concurrent.TimeUnit.SECONDS)).isZero();
    JsonNode observed = results(report);
    assertThat(observed.get("applied").asInt()).isEqualTo(100);
    assertThat(observed.get("appliedMillis").get("count").asInt()).isEqualTo(100);
    assertThat(observed.get("rollout")).isEmpty();
    // One TLS context for all: each agent still presented its own certificate, reconnects included.
    for (JsonNode agent : operator.get("/api/v1/agents?selector=loadtest=true&size=100").body().get("agents")) {
      String uid = agent.get("uid").asText();
      assertThat(operator.get("/api/v1/agents/" + uid).body().get("certificate").get("subject").asText())
          .contains("CN=" + uid);
    }
  }

  @Test
  void holdKeepsTheAgentsForTheWholeDurationAndCountsEveryChurnReconnect() throws Exception {
    Path report = dir.resolve("held");
    long started = System.nanoTime();
    int exit = new CommandLine(new LoadtestCommand()).execute("--endpoint", fleet.opampEndpoint().toString(),
        "--agents", "60", "--ramp", "600", "--ca", dir.resolve("server/ca.pem").toString(),
        "--ca-key", dir.resolve("server/ca-key.pem").toString(), "--cert-cache", dir.resolve("certs").toString(),
        "--observe", "--hold", "--duration", "6", "--reconnect-churn", "1", "--report", report.toString());

    assertThat(exit).isZero();
    assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(java.util.concurrent.TimeUnit.SECONDS.toNanos(6));
    JsonNode held = results(report);
    assertThat(held.get("connected").asInt()).isEqualTo(60);
    // A share of 1 a minute is one agent a second: each dropped its connection and came back.
    assertThat(held.get("reconnected").asInt()).isBetween(3, 8);
  }

  @Test
  void badInputIsRefusedWithTheReason() throws Exception {
    assertThat(errorOf("--endpoint", "ws://localhost:1/v1/opamp", "--hold")).contains("--hold").contains("--observe");
    assertThat(errorOf("--endpoint", "wss://localhost:1/v1/opamp", "--agents", "0")).contains("--agents must be at least 1");
    assertThat(errorOf("--endpoint", "wss://localhost:1/v1/opamp", "--ca", dir.resolve("missing.pem").toString(),
        "--ca-key", dir.resolve("server/ca-key.pem").toString())).contains("missing.pem").contains("no such file");
    assertThat(errorOf("--endpoint", "ws://127.0.0.1:1/v1/opamp", "--agents", "3", "--timeout", "3"))
        .contains("no agent could connect to ws://127.0.0.1:1/v1/opamp").contains("refused");
  }

  @Test
  void aConnectionStormPastTheServersRateIsDeferredWithRetryAfterAndEveryAgentStillConnects() throws Exception {
    fleet.withNewConnectionsPerSecond(50).restart();
    // Every agent at once, as when a server of several dies and its agents come to this one.
    assertThat(loadtest(dir.resolve("storm"), "--ramp", "5000", "--admin-url", fleet.adminUrl().toString())).isZero();

    JsonNode storm = results(dir.resolve("storm"));
    assertThat(storm.get("connected").asInt()).isEqualTo(AGENTS);
    assertThat(storm.get("applied").asInt()).isEqualTo(AGENTS);
    assertThat(storm.get("errors").get("HTTP 503").asInt()).as("connections deferred").isPositive();
    assertThat(storm.get("serverMetrics").get("opamp_connections_deferred_total").asInt()).isPositive();
    // Taken at about the server's rate: the deferred ones came back after their Retry-After, not at once.
    assertThat(storm.get("connectsPerSecond").asDouble()).isLessThan(150);
  }

  @Test
  void aServerThatRefusesIsCountedByStatus() {
    assertThat(Timeline.kind(new java.io.IOException("the OpAMP server answered HTTP 503"))).isEqualTo("HTTP 503");
    assertThat(Timeline.kind(new io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException(
        "Invalid handshake response getStatus: 401 Unauthorized"))).isEqualTo("HTTP 401");
  }

  private String errorOf(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream stderr = System.err;
    System.setErr(new PrintStream(err, true));
    try {
      assertThat(new CommandLine(new LoadtestCommand()).execute(args)).isEqualTo(2);
    } finally {
      System.setErr(stderr);
    }
    return err.toString();
  }

  @Test
  void compareShowsTwoRunsSideBySideAndWhatAnOlderRunDidNotMeasure() throws Exception {
    loadtest(dir.resolve("a"));
    loadtest(dir.resolve("b"));
    assertThat(compare(dir.resolve("a/results.json"), dir.resolve("b/results.json")))
        .contains("rollout start -> APPLIED reported p99 (ms)", "rollout start -> APPLIED recorded p99 (ms)", "B / A");

    // A baseline from a harness that measured neither handshakes nor APPLIED recorded.
    ObjectNode older = (ObjectNode) results(dir.resolve("a"));
    older.remove(List.of("tlsHandshakeMillis", "recordedMillis"));
    Path baseline = Files.writeString(dir.resolve("older.json"), older.toString());
    assertThat(compare(baseline, dir.resolve("b/results.json")))
        .containsPattern("TLS handshake +- *\n").containsPattern("rollout start -> APPLIED recorded +- *\n")
        .contains("rollout start -> APPLIED reported p99 (ms)");
  }

  /** What {@code loadtest compare} prints; it must end well. */
  private static String compare(Path a, Path b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    System.setOut(new PrintStream(out, true));
    try {
      assertThat(new CommandLine(new LoadtestCommand()).execute("compare", a.toString(), b.toString())).isZero();
    } finally {
      System.setOut(stdout);
    }
    return out.toString();
  }

  private int loadtest(Path report, String... extra) {
    Path server = dir.resolve("server");
    List<String> args = new ArrayList<>(List.of("--endpoint", fleet.opampEndpoint().toString(),
        "--agents", String.valueOf(AGENTS), "--ramp", "400", "--ca", server.resolve("ca.pem").toString(),
        "--ca-key", server.resolve("ca-key.pem").toString(), "--cert-cache", dir.resolve("certs").toString(),
        "--admin-url", fleet.adminUrl().toString(), "--token", TestFleet.OPERATOR, "--timeout", "120",
        "--report", report.toString()));
    for (int i = 0; i < extra.length; i += 2) {
      int existing = args.indexOf(extra[i]);
      if (existing >= 0) {
        args.set(existing + 1, extra[i + 1]);
      } else {
        args.addAll(List.of(extra[i], extra[i + 1]));
      }
    }
    return new CommandLine(new LoadtestCommand()).execute(args.toArray(String[]::new));
  }

  private static JsonNode results(Path report) throws Exception {
    return new ObjectMapper().readTree(report.resolve("results.json").toFile());
  }
}

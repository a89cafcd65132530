package io.opampfleet.harness.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opampfleet.server.fleet.TestFleet;
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

    assertThat(loadtest(dir.resolve("run-2"), "--fail-fraction", "0.2", "--waves", "50%,100%")).isZero();
    JsonNode second = results(dir.resolve("run-2"));
    assertThat(second.get("rollout").get("state").asText()).isEqualTo("ROLLED_BACK");
    assertThat(second.get("rollout").get("reason").asText()).contains("over the failure budget of 0");
    assertThat(second.get("failed").asInt()).isPositive();
  }

  private int loadtest(Path report, String... extra) {
    Path server = dir.resolve("server");
    List<String> args = new ArrayList<>(List.of("--endpoint", fleet.opampEndpoint().toString(),
        "--agents", String.valueOf(AGENTS), "--ramp", "400", "--ca", server.resolve("ca.pem").toString(),
        "--ca-key", server.resolve("ca-key.pem").toString(), "--cert-cache", dir.resolve("certs").toString(),
        "--admin-url", fleet.adminUrl().toString(), "--token", TestFleet.OPERATOR, "--timeout", "120",
        "--report", report.toString()));
    args.addAll(List.of(extra));
    return new CommandLine(new LoadtestCommand()).execute(args.toArray(String[]::new));
  }

  private static JsonNode results(Path report) throws Exception {
    return new ObjectMapper().readTree(report.resolve("results.json").toFile());
  }
}

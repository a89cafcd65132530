package io.opampfleet.harness.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.SharedStore;
import io.opampfleet.server.fleet.TestFleet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The load test from two worker processes against two servers sharing PostgreSQL, at a small size. */
class DistributedLoadtestIT {
  private static final int AGENTS = 300;

  @RegisterExtension
  final SharedStore store = new SharedStore(TestFleet::withPlainAgents);
  @TempDir
  Path dir;

  @Test
  void twoWorkersSpreadTheirAgentsOverTwoServersAndTheRunsFiguresAreTheExactSumOfTheirs() throws Exception {
    Path report = dir.resolve("run");
    int exit = new CommandLine(new LoadtestCommand()).execute("--endpoint", plain(store.a()), "--endpoint",
        plain(store.b()), "--agents", String.valueOf(AGENTS), "--ramp", "300", "--workers", "2",
        "--admin-url", store.a().adminUrl().toString(), "--token", TestFleet.OPERATOR, "--apply-delay",
        "uniform:5-40", "--timeout", "120", "--report", report.toString());

    assertThat(exit).isZero();
    JsonNode results = new ObjectMapper().readTree(report.resolve("results.json").toFile());
    assertThat(results.get("rollout").get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(results.get("connected").asInt()).isEqualTo(AGENTS);
    assertThat(results.get("applied").asInt()).isEqualTo(AGENTS);
    assertThat(results.get("serverMetrics").get("opamp_agents_known").asInt()).isEqualTo(AGENTS);
    // Agents were spread over both servers by index: the one the run asked holds half of them.
    assertThat(results.get("serverMetrics").get("opamp_agents_connected").asInt()).isEqualTo(AGENTS / 2);

    JsonNode workers = results.get("workers");
    assertThat(workers).hasSize(2);
    List<Histogram> applied = new ArrayList<>();
    long agentsInWorkers = 0;
    long appliedInWorkers = 0;
    for (JsonNode worker : workers) {
      assertThat(worker.get("agents").asInt()).isEqualTo(AGENTS / 2);
      assertThat(worker.get("applied").asInt()).isEqualTo(AGENTS / 2);
      agentsInWorkers += worker.get("agents").asInt();
      appliedInWorkers += worker.get("applied").asInt();
      applied.add(HistogramText.decode(worker.get("histograms").get("applied").asText()));
    }
    assertThat(agentsInWorkers).isEqualTo(AGENTS);
    assertThat(appliedInWorkers).isEqualTo(AGENTS);

    // The run's histogram is the sum of the workers': every percentile is theirs merged, none estimated.
    Histogram merged = HistogramText.decode(results.get("histograms").get("applied").asText());
    Histogram summed = applied.get(0).copy();
    summed.add(applied.get(1));
    assertThat(merged.getTotalCount()).isEqualTo(AGENTS);
    assertThat(merged).isEqualTo(summed);
    double p99 = results.get("appliedMillis").get("p99").asDouble();
    assertThat(p99).isEqualTo(summed.getValueAtPercentile(99) / 1000.0);
    assertThat(p99).isBetween(
        Math.min(workerP99(workers.get(0)), workerP99(workers.get(1))),
        Math.max(workerP99(workers.get(0)), workerP99(workers.get(1))));
    assertThat(results.get("progress").get("applied")).isNotEmpty();
  }

  @Test
  void agentsOfAServerThatStopsMidRolloutMoveToTheOtherAndTheRolloutReachesThemAll() throws Exception {
    Path report = dir.resolve("moved");
    AdminClient operatorA = store.a().admin(TestFleet.OPERATOR);
    Thread stopB = new Thread(() -> {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
          .until(() -> operatorA.get("/api/v1/rollouts").body().size() > 0);
      store.b().close();
    });
    stopB.start();
    int exit = new CommandLine(new LoadtestCommand()).execute("--endpoint", plain(store.a()), "--endpoint",
        plain(store.b()), "--agents", String.valueOf(AGENTS), "--ramp", "300", "--workers", "2",
        "--admin-url", store.a().adminUrl().toString(), "--token", TestFleet.OPERATOR, "--apply-delay",
        "uniform:300-600", "--timeout", "120", "--report", report.toString());
    stopB.join();

    assertThat(exit).isZero();
    JsonNode results = new ObjectMapper().readTree(report.resolve("results.json").toFile());
    assertThat(results.get("rollout").get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(results.get("applied").asInt()).isEqualTo(AGENTS);
    // B's half lost their server and came back through A.
    assertThat(results.get("reconnected").asInt()).isEqualTo(AGENTS / 2);
    assertThat(results.get("serverMetrics").get("opamp_agents_connected").asInt()).isEqualTo(AGENTS);
  }

  private static double workerP99(JsonNode worker) {
    return worker.get("appliedMillis").get("p99").asDouble();
  }

  private static String plain(TestFleet replica) {
    return "ws://localhost:" + replica.opampPort() + "/v1/opamp";
  }
}

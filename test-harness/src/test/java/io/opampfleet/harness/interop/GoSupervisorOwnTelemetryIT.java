package io.opampfleet.harness.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.peers.RealCollector;
import io.opampfleet.server.fleet.TestFleet;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A supervisor nobody here wrote: the OpenTelemetry Go supervisor (scripts/setup/go-supervisor.sh)
 * runs the real collector against the fleet server, takes the server's own-telemetry offer, and the
 * collector's own metrics reach the server with the offered credential and are shown for its agent.
 */
class GoSupervisorOwnTelemetryIT {
  @TempDir
  Path dir;

  private TestFleet fleet;
  private Process supervisor;

  @AfterEach
  void stop() throws Exception {
    if (supervisor != null) {
      supervisor.descendants().forEach(ProcessHandle::destroy);
      supervisor.destroy();
      if (!supervisor.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        supervisor.descendants().forEach(ProcessHandle::destroyForcibly);
        supervisor.destroyForcibly();
      }
    }
    if (fleet != null) {
      fleet.close();
    }
  }

  @Test
  void theGoSupervisorsCollectorSendsItsOwnMetricsWhereTheServerOffersAndTheyAreShown() throws Exception {
    fleet = new TestFleet(dir.resolve("server")).withPlainAgents().start();
    Path base = Files.writeString(dir.resolve("base.yaml"), """
        receivers:
          nop: {}
        exporters:
          nop: {}
        service:
          pipelines:
            traces: {receivers: [nop], exporters: [nop]}
          telemetry:
            metrics:
              readers:
                - pull: {exporter: {prometheus: {host: 127.0.0.1, port: %d}}}
        """.formatted(freePort()));
    Path config = Files.writeString(dir.resolve("supervisor.yaml"), """
        server:
          endpoint: ws://127.0.0.1:%d/v1/opamp
        capabilities:
          reports_effective_config: true
          reports_health: true
          reports_own_metrics: true
        storage:
          directory: %s
        agent:
          executable: %s
          config_files: [%s, $OWN_TELEMETRY_CONFIG]
        """.formatted(fleet.opampPort(), dir.resolve("storage"), RealCollector.binary(), base));
    supervisor = new ProcessBuilder(goSupervisor().toString(), "--config", config.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("supervisor.log").toFile()).start();

    await("the Go supervisor's agent connected").atMost(Duration.ofSeconds(60)).until(() ->
        fleet.admin(TestFleet.VIEWER).get("/api/v1/agents?connected=true").body().get("total").asInt() == 1);
    String uid = fleet.admin(TestFleet.VIEWER).get("/api/v1/agents").body().get("agents").get(0).get("uid").asText();
    JsonNode agent = fleet.admin(TestFleet.VIEWER).get("/api/v1/agents/" + uid).body();
    assertThat(agent.get("capabilities")).extracting(JsonNode::asText).contains("ReportsOwnMetrics");

    // The collector's periodic reader sends every minute (the SDK's default), from its restart on the offer.
    await("its collector's own metrics").atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(2))
        .untilAsserted(() -> {
          var answer = fleet.admin(TestFleet.VIEWER).get("/api/v1/agents/" + uid + "/telemetry");
          assertThat(answer.status()).as(Files.readString(dir.resolve("supervisor.log"))).isEqualTo(200);
          assertThat(answer.body().path("latest").path("rssBytes").asDouble()).isGreaterThan(1e6);
        });
    assertThat(fleet.admin(TestFleet.VIEWER).get("/metrics").body().asText())
        .contains("opamp_own_metrics_requests_total{status=\"200\"}").doesNotContain("status=\"401\"");
  }

  private static Path goSupervisor() {
    String configured = System.getProperty("go.supervisor.binary", "");
    if (configured.isBlank() || configured.startsWith("${")) {
      throw new IllegalStateException("no Go supervisor: run the tests with scripts/test, which builds it,"
          + " or set GO_SUPERVISOR to the output of scripts/setup/go-supervisor.sh");
    }
    return Path.of(configured);
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

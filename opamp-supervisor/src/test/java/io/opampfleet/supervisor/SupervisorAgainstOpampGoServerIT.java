package io.opampfleet.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opampfleet.peers.GoPeer;
import io.opampfleet.peers.RealCollector;
import io.opampfleet.supervisor.config.SupervisorConfigLoader;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our supervisor, with the real collector, as an agent of opamp-go's server (a Go program of ours
 * on opamp-go): description, two configs offered, applied, and reported, and a goodbye.
 */
class SupervisorAgainstOpampGoServerIT {
  private static final Duration PATIENCE = Duration.ofSeconds(40);

  @TempDir
  Path dir;

  @Test
  void theSupervisorReportsAndAppliesWhatOpampGoOffers() throws Exception {
    int otlpPort;
    try (ServerSocket free = new ServerSocket(0)) {
      otlpPort = free.getLocalPort();
    }
    Path offered = Files.writeString(dir.resolve("offered.yaml"), """
        receivers: {otlp: {protocols: {grpc: {endpoint: "127.0.0.1:%d"}}}}
        exporters: {debug: {}}
        service: {pipelines: {traces: {receivers: [otlp], exporters: [debug]}}}
        """.formatted(otlpPort));
    try (GoPeer server = GoPeer.start("server", "-listen", "127.0.0.1:0", "-config", offered.toString())) {
      await("listening").atMost(PATIENCE).until(() -> server.saw("listening "));
      String port = server.events().stream().filter(e -> e.startsWith("listening ")).findFirst().orElseThrow()
          .substring("listening ".length());
      Path config = Files.writeString(dir.resolve("supervisor.yaml"), """
          server: {endpoint: ws://127.0.0.1:%s/v1/opamp}
          capabilities: {accepts_remote_config: true}
          storage: {directory: %s}
          agent: {executable: %s, bootstrap_timeout: 10s, config_apply_timeout: 10s}
          """.formatted(port, dir.resolve("storage"), RealCollector.binary()));
      Supervisor supervisor = new Supervisor(new SupervisorConfigLoader(Map.<String, String>of()::get).load(config).config());
      try {
        supervisor.start();

        await("first config applied").atMost(PATIENCE).until(() -> server.saw("message")
            && server.events().stream().anyMatch(e -> e.contains("status=RemoteConfigStatuses_APPLIED:cfg-1")));
        assertThat(server.events()).anySatisfy(e -> assertThat(e).contains("description=otelcol-fleet"));
        await("second config, sent by the server on its own, applied").atMost(PATIENCE).until(() ->
            server.events().stream().anyMatch(e -> e.contains("status=RemoteConfigStatuses_APPLIED:cfg-2")));
        assertThat(listening(otlpPort)).as("the collector runs what opamp-go offered").isTrue();
      } finally {
        supervisor.close();
      }
      await("goodbye").atMost(PATIENCE).until(() -> server.events().stream().anyMatch(e -> e.endsWith("disconnect=true")));
    }
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}

package io.opampfleet.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.opampfleet.netty.server.OpampServer;
import io.opampfleet.peers.RealCollector;
import io.opampfleet.strictyaml.ConfigException;
import io.opampfleet.supervisor.config.SupervisorConfigLoader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** agent::startup_fallback_configs: the collector's config while the server was never reached. */
class SupervisorFallbackIT {
  @TempDir
  Path dir;

  @Test
  void theFallbackRunsUntilTheFirstConnectionAndTheNormalConfigAfter() throws Exception {
    int serverPort = freePort();
    int fallbackPort = freePort();
    int normalPort = freePort();
    Path config = config(serverPort, pipeline(fallbackPort), pipeline(normalPort));
    try (Supervisor supervisor = new Supervisor(new SupervisorConfigLoader(Map.<String, String>of()::get).load(config).config())) {
      supervisor.start();
      await("the fallback runs").atMost(Duration.ofSeconds(30)).until(() -> open(fallbackPort));
      assertThat(open(normalPort)).isFalse();

      try (OpampServer server = OpampServer.builder().bind(new InetSocketAddress("127.0.0.1", serverPort)).start()) {
        await("the normal config runs").atMost(Duration.ofSeconds(60)).until(() -> open(normalPort) && !open(fallbackPort));
      }
    }
  }

  @Test
  void aFallbackTheCollectorRefusesStopsTheStart() throws Exception {
    Path config = config(freePort(), "receivers: {nonexistent: {}}\n", pipeline(freePort()));
    try (Supervisor supervisor = new Supervisor(new SupervisorConfigLoader(Map.<String, String>of()::get).load(config).config())) {
      assertThatThrownBy(supervisor::start).isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("agent::startup_fallback_configs: the collector refuses them");
    }
  }

  private Path config(int serverPort, String fallback, String normal) throws Exception {
    Files.writeString(dir.resolve("fallback.yaml"), fallback);
    Files.writeString(dir.resolve("normal.yaml"), normal);
    return Files.writeString(dir.resolve("supervisor.yaml"), """
        server: {endpoint: ws://127.0.0.1:%d/v1/opamp}
        storage: {directory: %s}
        agent:
          executable: %s
          bootstrap_timeout: 10s
          config_files: [%s]
          startup_fallback_configs: [%s]
        """.formatted(serverPort, dir.resolve("storage"), RealCollector.binary(), dir.resolve("normal.yaml"),
        dir.resolve("fallback.yaml")));
  }

  private static String pipeline(int port) {
    return """
        receivers:
          otlp:
            protocols:
              http:
                endpoint: 127.0.0.1:%d
        exporters:
          nop:
        service:
          pipelines:
            traces:
              receivers: [otlp]
              exporters: [nop]
        """.formatted(port);
  }

  private static boolean open(int port) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

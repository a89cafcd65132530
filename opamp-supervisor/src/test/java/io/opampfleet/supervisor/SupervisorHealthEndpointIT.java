package io.opampfleet.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.opampfleet.peers.RealCollector;
import io.opampfleet.supervisor.config.SupervisorConfigLoader;
import io.opampfleet.supervisor.healthchecker.HealthEndpoint;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supervisor's own /health, as the Go supervisor's healthcheck key has it. */
class SupervisorHealthEndpointIT {
  @TempDir
  Path dir;

  @Test
  void healthIsOkOnceTheCollectorRunsEvenWithTheServerAway() throws Exception {
    int port = freePort();
    Path config = Files.writeString(dir.resolve("supervisor.yaml"), """
        server: {endpoint: ws://127.0.0.1:1/v1/opamp}
        storage: {directory: %s}
        agent: {executable: %s, bootstrap_timeout: 10s}
        healthcheck: {endpoint: 127.0.0.1:%d}
        """.formatted(dir.resolve("storage"), RealCollector.binary(), port));
    try (Supervisor supervisor = new Supervisor(new SupervisorConfigLoader(Map.<String, String>of()::get).load(config).config())) {
      supervisor.start();

      HttpResponse<String> health = get(port);
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).isEqualTo("OK");
    }
  }

  @Test
  void healthSaysWhatIsMissingBeforeTheSupervisorIsReady() throws Exception {
    try (HealthEndpoint endpoint = HealthEndpoint.start(new InetSocketAddress("127.0.0.1", 0),
        () -> Optional.of("config state is nil"))) {
      HttpResponse<String> health = get(endpoint.address().getPort());

      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(health.body()).isEqualTo("config state is nil");
    }
  }

  private static HttpResponse<String> get(int port) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

package io.opampfleet.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.certs.CertifiedKey;
import io.opampfleet.certs.Pem;
import io.opampfleet.peers.RealCollector;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.supervisor.config.SupervisorConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With capabilities::reports_available_components the server learns what the collector is built
 * with: the supervisor sends the hash, and the list when our server asks for it by flag.
 */
class SupervisorAvailableComponentsIT {
  @TempDir
  Path dir;

  @Test
  void theServerLearnsTheCollectorsComponents() throws Exception {
    try (TestFleet fleet = new TestFleet(dir.resolve("server")).start()) {
      CertifiedKey agent = fleet.clientKey("components-agent");
      Pem.write(dir.resolve("agent.crt"), (Object[]) agent.chainArray());
      Pem.write(dir.resolve("agent.key"), agent.privateKey());
      Path config = Files.writeString(dir.resolve("supervisor.yaml"), """
          server:
            endpoint: %s
            tls: {ca_file: %s, cert_file: %s, key_file: %s}
          capabilities: {reports_available_components: true}
          storage: {directory: %s}
          agent: {executable: %s, bootstrap_timeout: 10s}
          """.formatted(fleet.opampEndpoint(), dir.resolve("server/ca.pem"), dir.resolve("agent.crt"),
          dir.resolve("agent.key"), dir.resolve("storage"), RealCollector.binary()));
      try (Supervisor supervisor = new Supervisor(new SupervisorConfigLoader(Map.<String, String>of()::get)
          .load(config).config())) {
        supervisor.start();
        AdminClient viewer = fleet.admin(TestFleet.VIEWER);
        String path = "/api/v1/agents/" + supervisor.instanceUid();

        await().atMost(Duration.ofSeconds(60)).until(() -> {
          AdminClient.Answer answer = viewer.get(path);
          return answer.status() == 200 && answer.body().get("availableComponents").isArray();
        });
        JsonNode kinds = viewer.get(path).body().get("availableComponents");
        assertThat(kinds.toString()).contains("receivers", "processors", "exporters", "extensions");
        assertThat(viewer.get(path).body().get("capabilities").toString()).contains("ReportsAvailableComponents");
      }
    }
  }
}

package io.opampfleet.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.KeyAlgorithm;
import io.opampfleet.certs.Validity;
import io.opampfleet.peers.RealCollector;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.TestFleet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Collector upgrades by package with our fleet server: a signed tar.gz of a new collector replaces
 * agent::executable and runs healthy; one whose collector cannot run is rolled back to the previous
 * executable; one signed by another key is never installed.
 */
class SupervisorPackagesIT {
  @TempDir
  Path dir;
  private TestFleet fleet;
  private AdminClient operator;
  private PackagedCollectors collectors;
  private Path executable;
  private Supervisor supervisor;
  private String uid;

  @BeforeEach
  void start() throws Exception {
    fleet = new TestFleet(dir.resolve("server")).start();
    operator = fleet.admin(TestFleet.OPERATOR);
    collectors = new PackagedCollectors(dir, fleet);
    supervisor = collectors.supervisor("agent");
    executable = collectors.executable("agent");
    supervisor.start();
    uid = supervisor.instanceUid().toString();
    await().atMost(Duration.ofSeconds(60)).until(() -> healthy());
  }

  @AfterEach
  void stop() throws Exception {
    if (supervisor != null) {
      supervisor.close();
    }
    fleet.close();
  }

  @Test
  void aSignedCollectorPackageReplacesTheExecutableAndRunsHealthy() throws Exception {
    // The real collector with a trailer: another file, the same working program.
    byte[] upgraded = PackagedCollectors.concat(Files.readAllBytes(RealCollector.binary()),
        "\n# package 2.0.0\n".getBytes(StandardCharsets.UTF_8));
    offer("2.0.0", upgraded, collectors.publisher);

    JsonNode status = awaitPackageStatus("Installed");
    assertThat(status.get("agentHasVersion").asText()).isEqualTo("2.0.0");
    assertThat(Files.readAllBytes(executable)).isEqualTo(upgraded);
    await().atMost(Duration.ofSeconds(30)).until(() -> healthy() && runsTheInstalledFile());
  }

  @Test
  void aCollectorThatCannotRunIsRolledBackToThePreviousExecutable() throws Exception {
    byte[] before = Files.readAllBytes(executable);
    // Half a collector: the kernel cannot run it.
    offer("3.0.0", Arrays.copyOf(before, before.length / 2), collectors.publisher);

    JsonNode status = awaitPackageStatus("InstallFailed");
    assertThat(status.get("errorMessage").asText()).contains("back on the previous executable");
    assertThat(status.get("agentHasVersion").asText()).isEmpty();
    assertThat(Files.readAllBytes(executable)).isEqualTo(before);
    await().atMost(Duration.ofSeconds(30)).until(() -> healthy() && runsTheInstalledFile());
  }

  @Test
  void aPackageSignedByAnotherKeyIsNeverInstalled() throws Exception {
    byte[] before = Files.readAllBytes(executable);
    PrivateKey stranger = CertificateAuthority.create("someone else", KeyAlgorithm.EC_P256, Validity.days(1))
        .certifiedKey().privateKey();
    offer("4.0.0", PackagedCollectors.concat(before, new byte[] {1}), stranger);

    JsonNode status = awaitPackageStatus("InstallFailed");
    assertThat(status.get("errorMessage").asText()).contains("signature is not by the trusted key");
    assertThat(Files.readAllBytes(executable)).isEqualTo(before);
    assertThat(healthy()).isTrue();
  }

  private void offer(String version, byte[] collector, PrivateKey signer) throws Exception {
    collectors.upload(version, collector, signer);
    AdminClient.Answer offered = operator.post("/api/v1/agents/" + uid + "/packages",
        Map.of("name", "otelcol", "version", version));
    assertThat(offered.status()).as(offered.body().toString()).isEqualTo(201);
  }

  private JsonNode awaitPackageStatus(String wanted) {
    JsonNode[] status = new JsonNode[1];
    await().atMost(Duration.ofSeconds(90)).until(() -> {
      JsonNode packages = operator.get("/api/v1/agents/" + uid).body().get("packages");
      status[0] = packages.size() == 1 ? packages.get(0) : null;
      return status[0] != null && status[0].get("status").asText().equals(wanted);
    });
    return status[0];
  }

  private boolean healthy() {
    AdminClient.Answer answer = operator.get("/api/v1/agents/" + uid);
    return answer.status() == 200 && answer.body().get("connected").asBoolean()
        && answer.body().get("healthy").asBoolean();
  }

  /** The running collector process was started from the file now at agent::executable. */
  private boolean runsTheInstalledFile() throws Exception {
    long pid = supervisor.collectorPid();
    return pid > 0 && Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).equals(executable.toRealPath());
  }
}

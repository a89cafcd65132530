package io.opampfleet.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.CertifiedKey;
import io.opampfleet.certs.KeyAlgorithm;
import io.opampfleet.certs.PackageSignatures;
import io.opampfleet.certs.Pem;
import io.opampfleet.certs.Validity;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.supervisor.config.SupervisorConfigLoader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
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
  private AdminClient admin;
  private AdminClient operator;
  private PrivateKey publisher;
  private Path executable;
  private Supervisor supervisor;
  private String uid;

  @BeforeEach
  void start() throws Exception {
    fleet = new TestFleet(dir.resolve("server")).start();
    admin = fleet.admin(TestFleet.ADMIN);
    operator = fleet.admin(TestFleet.OPERATOR);
    CertifiedKey agent = fleet.clientKey("supervised-agent");
    Pem.write(dir.resolve("agent.crt"), (Object[]) agent.chainArray());
    Pem.write(dir.resolve("agent.key"), agent.privateKey());
    CertificateAuthority signer = CertificateAuthority.create("package publisher", KeyAlgorithm.EC_P256,
        Validity.days(30));
    publisher = signer.certifiedKey().privateKey();
    Pem.write(dir.resolve("publisher.crt"), signer.certificate());
    executable = Files.createDirectories(dir.resolve("bin")).resolve("otelcol-contrib");
    Files.copy(RealCollector.binary(), executable);
    Files.writeString(dir.resolve("supervisor.yaml"), """
        server:
          endpoint: %s
          tls: {ca_file: %s, cert_file: %s, key_file: %s}
        capabilities: {accepts_packages: true}
        storage: {directory: %s}
        agent:
          executable: %s
          bootstrap_timeout: 10s
          config_apply_timeout: 10s
          package:
            archive: tar.gz
            agent_binary: otelcol-contrib
            verifier: {type: signature, signature: {public_key_file: %s}}
        """.formatted(fleet.opampEndpoint(), dir.resolve("server/ca.pem"), dir.resolve("agent.crt"),
        dir.resolve("agent.key"), dir.resolve("storage"), executable, dir.resolve("publisher.crt")));
    supervisor = new Supervisor(new SupervisorConfigLoader(Map.<String, String>of()::get)
        .load(dir.resolve("supervisor.yaml")).config());
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
    byte[] upgraded = concat(Files.readAllBytes(RealCollector.binary()), "\n# package 2.0.0\n".getBytes(StandardCharsets.UTF_8));
    offer("2.0.0", tarGz(upgraded), publisher);

    JsonNode status = awaitPackageStatus("Installed");
    assertThat(status.get("agentHasVersion").asText()).isEqualTo("2.0.0");
    assertThat(Files.readAllBytes(executable)).isEqualTo(upgraded);
    await().atMost(Duration.ofSeconds(30)).until(() -> healthy() && runsTheInstalledFile());
  }

  @Test
  void aCollectorThatCannotRunIsRolledBackToThePreviousExecutable() throws Exception {
    byte[] before = Files.readAllBytes(executable);
    // Half a collector: the kernel cannot run it.
    offer("3.0.0", tarGz(Arrays.copyOf(before, before.length / 2)), publisher);

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
    offer("4.0.0", tarGz(concat(before, new byte[] {1})), stranger);

    JsonNode status = awaitPackageStatus("InstallFailed");
    assertThat(status.get("errorMessage").asText()).contains("signature is not by the trusted key");
    assertThat(Files.readAllBytes(executable)).isEqualTo(before);
    assertThat(healthy()).isTrue();
  }

  private void offer(String version, Path archive, PrivateKey signer) {
    String signature = Base64.getUrlEncoder().encodeToString(PackageSignatures.sign(signer, archive));
    AdminClient.Answer uploaded = admin.upload("/api/v1/packages/file?name=otelcol&version=" + version
        + "&signature=" + signature, archive);
    assertThat(uploaded.status()).as(uploaded.body().toString()).isEqualTo(201);
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

  private Path tarGz(byte[] collector) throws Exception {
    Path archive = Files.createTempFile(dir, "otelcol", ".tar.gz");
    try (OutputStream file = Files.newOutputStream(archive);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(file))) {
      TarArchiveEntry entry = new TarArchiveEntry("otelcol-contrib");
      entry.setSize(collector.length);
      entry.setMode(0755);
      tar.putArchiveEntry(entry);
      tar.write(collector);
      tar.closeArchiveEntry();
    }
    return archive;
  }

  private static byte[] concat(byte[] first, byte[] second) {
    byte[] joined = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, joined, first.length, second.length);
    return joined;
  }
}

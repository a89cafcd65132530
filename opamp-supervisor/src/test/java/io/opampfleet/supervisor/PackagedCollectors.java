package io.opampfleet.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.CertifiedKey;
import io.opampfleet.certs.KeyAlgorithm;
import io.opampfleet.certs.PackageSignatures;
import io.opampfleet.certs.Pem;
import io.opampfleet.certs.Validity;
import io.opampfleet.peers.RealCollector;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.supervisor.config.SupervisorConfigLoader;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Supervised real collectors that take collector packages from a test fleet server, and the signed
 * packages to give them: each supervisor runs its own copy of the collector from {@code
 * <dir>/<name>/bin} and keeps its storage in {@code <dir>/<name>/storage}.
 */
final class PackagedCollectors {
  static final String BINARY = "otelcol-contrib";

  final PrivateKey publisher;
  private final Path dir;
  private final TestFleet fleet;

  PackagedCollectors(Path dir, TestFleet fleet) throws Exception {
    this.dir = dir;
    this.fleet = fleet;
    CertificateAuthority signer = CertificateAuthority.create("package publisher", KeyAlgorithm.EC_P256,
        Validity.days(30));
    publisher = signer.certifiedKey().privateKey();
    Pem.write(dir.resolve("publisher.crt"), signer.certificate());
  }

  /** A supervisor, not started yet, for a collector of its own that takes packages signed by the publisher. */
  Supervisor supervisor(String name) throws Exception {
    Path home = Files.createDirectories(dir.resolve(name));
    CertifiedKey agent = fleet.clientKey("supervised-" + name);
    Pem.write(home.resolve("agent.crt"), (Object[]) agent.chainArray());
    Pem.write(home.resolve("agent.key"), agent.privateKey());
    Files.copy(RealCollector.binary(), Files.createDirectories(home.resolve("bin")).resolve(BINARY));
    // No telemetry port of its own, so several collectors share the host.
    Files.writeString(home.resolve("base.yaml"), "service: {telemetry: {metrics: {level: none}}}\n");
    Files.writeString(home.resolve("supervisor.yaml"), """
        server:
          endpoint: %s
          tls: {ca_file: %s, cert_file: %s, key_file: %s}
        capabilities: {accepts_packages: true}
        storage: {directory: %s}
        agent:
          executable: %s
          bootstrap_timeout: 10s
          config_apply_timeout: 10s
          config_files: [%s]
          package:
            archive: tar.gz
            agent_binary: %s
            verifier: {type: signature, signature: {public_key_file: %s}}
        """.formatted(fleet.opampEndpoint(), fleet.caFile(), home.resolve("agent.crt"), home.resolve("agent.key"),
        storage(name), executable(name), home.resolve("base.yaml"), BINARY, dir.resolve("publisher.crt")));
    return new Supervisor(new SupervisorConfigLoader(Map.<String, String>of()::get)
        .load(home.resolve("supervisor.yaml")).config());
  }

  Path executable(String name) {
    return dir.resolve(name).resolve("bin").resolve(BINARY);
  }

  Path storage(String name) {
    return dir.resolve(name).resolve("storage");
  }

  /** Uploads the collector as package {@code otelcol} of this version, signed by {@code signer}. */
  void upload(String version, byte[] collector, PrivateKey signer) throws Exception {
    Path archive = tarGz(collector);
    String signature = Base64.getUrlEncoder().encodeToString(PackageSignatures.sign(signer, archive));
    AdminClient.Answer uploaded = fleet.admin(TestFleet.ADMIN).upload("/api/v1/packages/file?name=otelcol&version="
        + version + "&signature=" + signature, archive);
    assertThat(uploaded.status()).as(uploaded.body().toString()).isEqualTo(201);
  }

  void upload(String version, byte[] collector) throws Exception {
    upload(version, collector, publisher);
  }

  private Path tarGz(byte[] collector) throws Exception {
    Path archive = Files.createTempFile(dir, "otelcol", ".tar.gz");
    try (OutputStream file = Files.newOutputStream(archive);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(file))) {
      TarArchiveEntry entry = new TarArchiveEntry(BINARY);
      entry.setSize(collector.length);
      entry.setMode(0755);
      tar.putArchiveEntry(entry);
      tar.write(collector);
      tar.closeArchiveEntry();
    }
    return archive;
  }

  static byte[] concat(byte[] first, byte[] second) {
    byte[] joined = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, joined, first.length, second.length);
    return joined;
  }
}

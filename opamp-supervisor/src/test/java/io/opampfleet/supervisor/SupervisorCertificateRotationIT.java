package io.opampfleet.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.certs.CertifiedKey;
import io.opampfleet.certs.Pem;
import io.opampfleet.certs.Validity;
import io.opampfleet.peers.RealCollector;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.supervisor.config.SupervisorConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate rotation with our fleet server over mutual TLS: by the supervisor's own certificate
 * request, and by a new key the server offers; the rotated certificate survives a supervisor restart.
 */
class SupervisorCertificateRotationIT {
  @TempDir
  Path dir;
  private TestFleet fleet;
  private AdminClient operator;

  @BeforeEach
  void startServer() {
    fleet = new TestFleet(dir.resolve("server")).start();
    operator = fleet.admin(TestFleet.OPERATOR);
    CertifiedKey agent = fleet.clientKey("supervised-agent");
    Pem.write(dir.resolve("agent.crt"), (Object[]) agent.chainArray());
    Pem.write(dir.resolve("agent.key"), agent.privateKey());
  }

  @AfterEach
  void stopServer() {
    fleet.close();
  }

  @Test
  void aCertificateNearItsEndIsRenewedByRequestAndKeptAcrossARestart() throws Exception {
    Path config = supervisorYaml("rotate_before: 87600h");
    String uid;
    try (Supervisor supervisor = start(config)) {
      uid = supervisor.instanceUid().toString();
      await().atMost(Duration.ofSeconds(60)).until(() -> subject(uid).contains("CN=" + uid));
      assertThat(Files.exists(dir.resolve("storage/last_opamp_connection_settings.dat"))).isTrue();
      assertThat(Files.exists(dir.resolve("storage/opamp_client.key"))).isTrue();
    }
    String rotated = fingerprint(uid);

    // The same supervisor.yaml with its original certificate, now refused: the kept one must be used.
    try (Supervisor again = start(supervisorYaml(""))) {
      assertThat(again.instanceUid().toString()).isEqualTo(uid);
      await().atMost(Duration.ofSeconds(60)).until(() -> connected(uid));
      assertThat(fingerprint(uid)).isEqualTo(rotated);
      assertThat(operator.get("/api/v1/agents/" + uid + "/events").body().toString())
          .doesNotContain("CERTIFICATE_REFUSED");
    }
  }

  @Test
  void aCertificateWhoseWindowOpensWhileConnectedIsRenewedThen() throws Exception {
    // Valid for an hour, in its window 15 s from now: the supervisor connects before, and must not wait
    // for a reconnect to notice.
    CertifiedKey agent = fleet.ca().issueClient("supervised-agent", Validity.of(Duration.ofHours(1)));
    Pem.write(dir.resolve("agent.crt"), (Object[]) agent.chainArray());
    Pem.write(dir.resolve("agent.key"), agent.privateKey());
    long windowOpens = agent.certificate().getNotAfter().getTime() - Duration.ofMinutes(59).plusSeconds(45).toMillis();
    try (Supervisor supervisor = start(supervisorYaml("rotate_before: 59m45s"))) {
      String uid = supervisor.instanceUid().toString();
      await().atMost(Duration.ofSeconds(60)).until(() -> subject(uid).contains("CN=" + uid));

      List<JsonNode> events = new ArrayList<>();
      operator.get("/api/v1/agents/" + uid + "/events").body().forEach(events::add);
      assertThat(events).filteredOn(e -> e.get("kind").asText().equals("CONNECTED"))
          .anySatisfy(e -> assertThat(e.get("at").asLong()).isLessThan(windowOpens));
      assertThat(events).filteredOn(e -> e.get("kind").asText().equals("CERTIFICATE_ISSUED")).singleElement()
          .satisfies(e -> assertThat(e.get("at").asLong()).isGreaterThanOrEqualTo(windowOpens));
    }
  }

  @Test
  void aKeyAndCertificateTheServerOffersAreTakenAndTheOldCertificateIsRefused() throws Exception {
    try (Supervisor supervisor = start(supervisorYaml(""))) {
      String uid = supervisor.instanceUid().toString();
      await().atMost(Duration.ofSeconds(60)).until(() -> connected(uid));
      String before = fingerprint(uid);

      assertThat(operator.post("/api/v1/agents/" + uid + "/certificate", Map.of()).status()).isEqualTo(201);

      await().atMost(Duration.ofSeconds(60)).until(() -> connected(uid) && !fingerprint(uid).equals(before));
      assertThat(subject(uid)).contains("CN=" + uid);
      // The supervisor says it kept the offered settings (ConnectionSettingsStatus APPLIED).
      await().atMost(Duration.ofSeconds(20)).until(() -> operator.get("/api/v1/agents/" + uid + "/events").body()
          .toString().contains("CONNECTION_SETTINGS_APPLIED"));
    }
  }

  private Path supervisorYaml(String rotation) throws Exception {
    return Files.writeString(dir.resolve("supervisor.yaml"), """
        server:
          endpoint: %s
          tls: {ca_file: %s, cert_file: %s, key_file: %s%s}
        capabilities: {accepts_opamp_connection_settings: true}
        storage: {directory: %s}
        agent: {executable: %s, bootstrap_timeout: 10s}
        """.formatted(fleet.opampEndpoint(), dir.resolve("server/ca.pem"), dir.resolve("agent.crt"),
        dir.resolve("agent.key"), rotation.isEmpty() ? "" : ", " + rotation, dir.resolve("storage"),
        RealCollector.binary()));
  }

  private static Supervisor start(Path config) throws Exception {
    Supervisor supervisor = new Supervisor(new SupervisorConfigLoader(Map.<String, String>of()::get).load(config).config());
    supervisor.start();
    return supervisor;
  }

  private boolean connected(String uid) {
    AdminClient.Answer answer = operator.get("/api/v1/agents/" + uid);
    return answer.status() == 200 && answer.body().get("connected").asBoolean();
  }

  private String subject(String uid) {
    JsonNode certificate = operator.get("/api/v1/agents/" + uid).body().path("certificate");
    return certificate.isMissingNode() || certificate.isNull() ? "" : certificate.get("subject").asText();
  }

  private String fingerprint(String uid) {
    return operator.get("/api/v1/agents/" + uid).body().get("certificate").get("sha256").asText();
  }
}

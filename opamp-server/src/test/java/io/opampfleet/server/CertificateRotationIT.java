package io.opampfleet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.SimulatedAgent;
import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.server.certificates.CertificateBinding;
import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.netty.server.JdkClients;
import io.opampfleet.proto.AgentDisconnect;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ServerToAgent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Certificate rotation over OpAMP connection settings: the CSR flow and a rotation the server starts. */
class CertificateRotationIT {
  @TempDir
  Path dir;
  private TestFleet fleet;
  private AdminClient operator;
  private SimulatedAgent agent;
  private SimulatedAgent oldCertificate;

  @BeforeEach
  void start() {
    fleet = new TestFleet(dir).start();
    operator = fleet.admin(TestFleet.OPERATOR);
    agent = fleet.agent(Map.of("service.name", "rotating"), SimulatedAgent.newUid(), false).start();
    await().atMost(Duration.ofSeconds(20)).until(() -> boundTo().equals(fingerprint(agent)));
  }

  @AfterEach
  void stop() {
    agent.close();
    if (oldCertificate != null) {
      oldCertificate.close();
    }
    fleet.close();
  }

  @Test
  void anAgentsCertificateRequestIsSignedAndItsOldCertificateIsThenRefused() {
    String before = fingerprint(agent);
    var oldKey = agent.key();

    agent.requestCertificate(agent.uid());

    await().atMost(Duration.ofSeconds(20)).until(() -> !fingerprint(agent).equals(before)
        && boundTo().equals(fingerprint(agent)));
    assertThat(agent.certificate().getSubjectX500Principal().getName()).contains("CN=" + agent.uid());
    assertThat(agent.received.stream().filter(m -> m.hasConnectionSettings()).findFirst().orElseThrow()
        .getConnectionSettings().getOpamp().getDestinationEndpoint()).isEqualTo(fleet.opampEndpoint().toString());
    assertThat(operator.get("/api/v1/agents/" + agent.uid() + "/events").body().toString()).contains("CERTIFICATE_ISSUED");
    assertOldCertificateRefused(oldKey);
  }

  @Test
  void aRequestForAnotherNameIsRefusedWithBadRequest() {
    agent.requestCertificate("someone-else");

    await().atMost(Duration.ofSeconds(20)).until(() -> !agent.errors.isEmpty());
    assertThat(agent.errors.get(0).getErrorMessage()).startsWith("certificate request refused: ")
        .contains("someone-else");
    assertThat(boundTo()).isEqualTo(fingerprint(agent));
  }

  @Test
  void anOperatorRotatesAnAgentsCertificateAndTheOldOneIsThenRefused() {
    String before = fingerprint(agent);
    var oldKey = agent.key();

    assertThat(operator.post("/api/v1/agents/" + agent.uid() + "/certificate", Map.of()).status()).isEqualTo(201);

    await().atMost(Duration.ofSeconds(20)).until(() -> !fingerprint(agent).equals(before)
        && boundTo().equals(fingerprint(agent)));
    assertOldCertificateRefused(oldKey);
  }

  @Test
  void aGoodbyeWithTheReplacedCertificateIsRefusedWithoutAMarkInTheAgentsHistory() throws Exception {
    String before = fingerprint(agent);
    var oldKey = agent.key();
    agent.requestCertificate(agent.uid());
    await().atMost(Duration.ofSeconds(20)).until(() -> !fingerprint(agent).equals(before)
        && boundTo().equals(fingerprint(agent)));

    // The old connection's goodbye, reaching the server after the new connection: refused, not recorded.
    HttpClient oldClient = HttpClient.newBuilder().sslContext(JdkClients.tls(oldKey, fleet.ca().certificate())).build();
    ServerToAgent goodbye = post(oldClient, AgentToServer.newBuilder().setInstanceUid(uid()).setSequenceNum(50)
        .setAgentDisconnect(AgentDisconnect.getDefaultInstance()).build());
    assertThat(goodbye.getErrorResponse().getErrorMessage()).contains("bound to another client certificate");
    // A report with the old certificate is recorded, after the goodbye: only it leaves a mark.
    ServerToAgent report = post(oldClient, AgentToServer.newBuilder().setInstanceUid(uid()).setSequenceNum(51).build());
    assertThat(report.getErrorResponse().getErrorMessage()).contains("bound to another client certificate");
    await().atMost(Duration.ofSeconds(5)).until(() -> refusalsRecorded() > 0);
    assertThat(refusalsRecorded()).isEqualTo(1);
    assertThat(operator.get("/api/v1/agents/" + agent.uid()).body().get("connected").asBoolean()).isTrue();
  }

  private ServerToAgent post(HttpClient client, AgentToServer message) throws Exception {
    URI https = URI.create(fleet.opampEndpoint().toString().replaceFirst("^wss:", "https:"));
    HttpResponse<byte[]> answer = client.send(HttpRequest.newBuilder(https).header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(message.toByteArray())).build(), HttpResponse.BodyHandlers.ofByteArray());
    return ServerToAgent.parseFrom(answer.body());
  }

  private long refusalsRecorded() {
    List<JsonNode> events = new ArrayList<>();
    operator.get("/api/v1/agents/" + agent.uid() + "/events").body().forEach(events::add);
    return events.stream().filter(e -> e.get("kind").asText().equals("CERTIFICATE_REFUSED")).count();
  }

  private void assertOldCertificateRefused(io.opampfleet.certs.CertifiedKey oldKey) {
    oldCertificate = new SimulatedAgent(fleet.opampEndpoint(), oldKey, fleet.ca().certificate(),
        Map.of("service.name", "rotating"), uid(), false).start();
    await().atMost(Duration.ofSeconds(20)).until(() -> !oldCertificate.errors.isEmpty());
    assertThat(oldCertificate.errors.get(0).getErrorMessage()).contains("bound to another client certificate");
    assertThat(boundTo()).isEqualTo(fingerprint(agent));
  }

  private ByteString uid() {
    return io.opampfleet.netty.InstanceUid.bytes(agent.uid());
  }

  private String boundTo() {
    var certificate = operator.get("/api/v1/agents/" + agent.uid()).body().get("certificate");
    return certificate == null || certificate.isNull() ? "" : certificate.get("sha256").asText();
  }

  private static String fingerprint(SimulatedAgent agent) {
    return CertificateBinding.identity(agent.certificate()).sha256();
  }
}

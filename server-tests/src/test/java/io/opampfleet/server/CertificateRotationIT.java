package io.opampfleet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.opampfleet.certs.TlsContexts;
import io.opampfleet.netty.client.ClientCallbacks;
import io.opampfleet.netty.client.OpampClient;
import io.opampfleet.peers.JdkClients;
import io.opampfleet.proto.AgentDisconnect;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.ServerErrorResponse;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.server.internal.certificates.CertificateBinding;
import io.opampfleet.simulated.SimulatedAgent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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
    // The audit log has it as it has an operator's rotation, the agent as the one who asked (written once
    // the answer was acknowledged).
    await().atMost(Duration.ofSeconds(10)).until(() -> operator.get("/api/v1/audit?actor=" + agent.uid()).body().size() == 1);
    var entry = operator.get("/api/v1/audit?actor=" + agent.uid()).body().get(0);
    assertThat(entry.path("action").asText()).isEqualTo("OpAMP certificate request");
    assertThat(entry.path("object").asText()).isEqualTo("/api/v1/agents/" + agent.uid() + "/certificate");
    assertThat(entry.path("before").path("sha256").asText()).isEqualTo(before);
    assertThat(entry.path("after").path("sha256").asText()).isEqualTo(fingerprint(agent));
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
  void theOldConnectionsLastWordsAreRefusedWithoutAMarkInTheAgentsHistory() throws Exception {
    String before = fingerprint(agent);
    var oldKey = agent.key();
    // A second connection with the old certificate, open across the rotation, as a supervisor keeps its
    // connection while it tries the offered settings; refused, it stops (a client would connect again).
    List<ServerErrorResponse> staleErrors = new CopyOnWriteArrayList<>();
    OpampClient[] client = new OpampClient[1];
    OpampClient stale = OpampClient.builder().endpoint(fleet.opampEndpoint()).instanceUid(uid())
        .tls(TlsContexts.preferred().mutualTlsClient(oldKey, fleet.ca().certificate()))
        .callbacks(new ClientCallbacks() {
          @Override
          public void onError(ServerErrorResponse error) {
            staleErrors.add(error);
            client[0].stop();
          }
        }).build();
    client[0] = stale;
    stale.start();
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> eventsOf("CONNECTED") == 2);
      agent.requestCertificate(agent.uid());
      await().atMost(Duration.ofSeconds(20)).until(() -> !fingerprint(agent).equals(before)
          && boundTo().equals(fingerprint(agent)));

      // A report on the connection that spoke for the agent before the rotation: refused, not recorded.
      stale.setHealth(ComponentHealth.newBuilder().setHealthy(false).setLastError("stale").build());
      await().atMost(Duration.ofSeconds(20)).until(() -> !staleErrors.isEmpty());
      assertThat(staleErrors.get(0).getErrorMessage()).contains("bound to another client certificate");
      // A goodbye with the old certificate, on a connection of its own: refused, not recorded.
      HttpClient oldClient = HttpClient.newBuilder().sslContext(JdkClients.tls(oldKey, fleet.ca().certificate())).build();
      ServerToAgent goodbye = post(oldClient, AgentToServer.newBuilder().setInstanceUid(uid()).setSequenceNum(50)
          .setAgentDisconnect(AgentDisconnect.getDefaultInstance()).build());
      assertThat(goodbye.getErrorResponse().getErrorMessage()).contains("bound to another client certificate");
      // A report with the old certificate on a connection opened after the rotation is recorded: only it.
      ServerToAgent report = post(oldClient, AgentToServer.newBuilder().setInstanceUid(uid()).setSequenceNum(51).build());
      assertThat(report.getErrorResponse().getErrorMessage()).contains("bound to another client certificate");
      await().atMost(Duration.ofSeconds(5)).until(() -> eventsOf("CERTIFICATE_REFUSED") > 0);
      assertThat(eventsOf("CERTIFICATE_REFUSED")).isEqualTo(1);
      assertThat(operator.get("/api/v1/agents/" + agent.uid()).body().get("connected").asBoolean()).isTrue();
    } finally {
      if (staleErrors.isEmpty()) {
        stale.stop().join();
      }
    }
  }

  private ServerToAgent post(HttpClient client, AgentToServer message) throws Exception {
    URI https = URI.create(fleet.opampEndpoint().toString().replaceFirst("^wss:", "https:"));
    HttpResponse<byte[]> answer = client.send(HttpRequest.newBuilder(https).header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(message.toByteArray())).build(), HttpResponse.BodyHandlers.ofByteArray());
    return ServerToAgent.parseFrom(answer.body());
  }

  private long eventsOf(String kind) {
    List<JsonNode> events = new ArrayList<>();
    operator.get("/api/v1/agents/" + agent.uid() + "/events").body().forEach(events::add);
    return events.stream().filter(e -> e.get("kind").asText().equals(kind)).count();
  }

  private void assertOldCertificateRefused(io.opampfleet.certs.CertifiedKey oldKey) {
    oldCertificate = SimulatedAgent.builder(uid()).overMutualTls(fleet.opampEndpoint(),
        oldKey, fleet.ca().certificate()).labels(Map.of("service.name", "rotating")).build().start();
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

package io.opampfleet.harness.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.proto.AgentToServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * TLS ended at HAProxy, which checks each collector's certificate against the fleet's CA and
 * forwards it in a header to whichever server it picks: every server binds each agent to its own
 * certificate, and takes that header from HAProxy's address only.
 */
class TlsAtTheBalancerIT extends ReplicatedFleetSuite {
  private static final int FLEET_SIZE = 3;

  TlsAtTheBalancerIT() {
    super(FLEET_SIZE, true);
  }

  @Test
  @Order(1)
  void everyServerBindsEachCollectorToTheCertificateHaproxyForwarded() {
    Map<String, String> held = replicas(servers.get("b"));
    assertThat(held).doesNotContainValue("");
    assertThat(new HashSet<>(held.values())).as("the balancer spreads the collectors: " + held).hasSizeGreaterThan(1);
    for (SupervisedCollectorContainer collector : fleet) {
      JsonNode agent = agent(servers.get("c"), collector);
      assertThat(agent.path("certificate").path("subject").asText()).as(agent.toString())
          .contains(collector.instanceUid().toString());
      assertThat(agent.get("remoteAddress").asText()).as("the collector's own address, from the PROXY header")
          .startsWith("/" + addressOf(collector) + ":");
    }
  }

  @Test
  @Order(2)
  void aRolloutReachesTheCollectorsThroughTheBalancer() {
    addVersion(servers.get("a"), "tls-at-balancer", BODY);
    long id = startRollout(servers.get("a"), "tls-at-balancer", 1, "100%", "1s");
    JsonNode ended = awaitEnd(servers.get("c"), id);
    assertThat(ended.get("state").asText()).as(ended.toString()).isEqualTo("SUCCEEDED");
    assertThat(ended.get("counts").get("DONE").asInt()).isEqualTo(FLEET_SIZE);
  }

  @Test
  @Order(3)
  void aCertificateHeaderFromAnyoneButTheBalancerIsRefused() throws Exception {
    SupervisedCollectorContainer victim = fleet.get(0);
    String forged = Base64.getEncoder().encodeToString(victim.initialCertificate().certificate().getEncoded());
    byte[] message = AgentToServer.newBuilder()
        .setInstanceUid(InstanceUid.bytes(victim.instanceUid().toString())).build().toByteArray();
    FleetServerContainer server = servers.get("a");
    URI straightToTheServer = URI.create("http://localhost:" + MappedPort.now(server, FleetServerContainer.OPAMP_PORT)
        + "/v1/opamp");
    HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(straightToTheServer)
        .header("Content-Type", "application/x-protobuf").header(CERTIFICATE_HEADER, forged)
        .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofByteArray(message)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(403);
    assertThat(answer.body()).contains(CERTIFICATE_HEADER + " is taken only from the balancers");
    // The collector it named is still connected through the balancer, on its own certificate.
    assertThat(agent(server, victim).path("connected").asBoolean()).isTrue();
  }
}

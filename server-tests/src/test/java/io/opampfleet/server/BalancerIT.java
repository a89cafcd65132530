package io.opampfleet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.netty.server.Balancers;
import io.opampfleet.peers.PostgresContainer;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.CuttableLink;
import io.opampfleet.server.fleet.HaproxyContainer;
import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.simulated.SimulatedAgent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real HAProxy in front of the server, in the two ways the README gives: TLS passed through (mutual
 * TLS ends at the server) and TLS ended at HAProxy with the client's certificate forwarded in a
 * header. In both the server learns the agent's own address from a PROXY v2 header, and binds the
 * agent to its certificate; HAProxy connects from 127.0.0.3, the only balancer address trusted.
 */
class BalancerIT {
  private static final String BALANCER = "127.0.0.3";
  private static final String CERT_HEADER = "X-SSL-Client-Cert";
  private static final String READINESS_CHECK = "  option httpchk GET /readyz\n";

  @TempDir
  Path dir;

  @Test
  void withTlsPassedThroughTheServerSeesTheAgentsOwnAddressAndCertificate() throws Exception {
    TestFleet server = new TestFleet(dir.resolve("server"))
        .behind(new Balancers(List.of(BALANCER + "/32"), true, null), true).start();
    int front = freePort();
    Path config = Files.writeString(dir.resolve("haproxy.cfg"), defaults("tcp")
        + "frontend agents\n  bind 127.0.0.1:" + front + "\n  default_backend servers\n"
        + "backend servers\n  source " + BALANCER + "\n  server a 127.0.0.1:" + server.opampPort() + " send-proxy-v2\n");
    try (server; HaproxyContainer haproxy = new HaproxyContainer(config)) {
      haproxy.start();
      haproxy.awaitListening(front);

      JsonNode seen = connectThrough(server, front);
      assertThat(seen.get("remoteAddress").asText()).startsWith("/127.0.0.1:");
    }
  }

  @Test
  void withTlsEndedAtTheBalancerTheForwardedCertificateBindsTheAgentAndNoOneElseMayForwardOne() throws Exception {
    TestFleet server = new TestFleet(dir.resolve("server"))
        .behind(new Balancers(List.of(BALANCER + "/32"), true, CERT_HEADER), false).start();
    Path serverDir = dir.resolve("server");
    HaproxyContainer.bundle(serverDir.resolve("server.pem"), serverDir.resolve("server-key.pem"), dir.resolve("tls.pem"));
    int front = freePort();
    Path config = Files.writeString(dir.resolve("haproxy.cfg"), defaults("http")
        + "frontend agents\n  bind 127.0.0.1:" + front + " ssl crt /etc/haproxy/tls.pem ca-file /etc/haproxy/ca.pem"
        + " verify required\n  http-request set-header " + CERT_HEADER + " %[ssl_c_der,base64]\n"
        + "  default_backend servers\n"
        + "backend servers\n  source " + BALANCER + "\n  server a 127.0.0.1:" + server.opampPort() + " send-proxy-v2\n");
    try (server; HaproxyContainer haproxy = new HaproxyContainer(config)
        .withFile(dir.resolve("tls.pem"), "tls.pem").withFile(server.caFile(), "ca.pem")) {
      haproxy.start();
      haproxy.awaitListening(front);

      JsonNode seen = connectThrough(server, front);
      assertThat(seen.get("remoteAddress").asText()).startsWith("/127.0.0.1:");

      // The same header sent to the server by anyone but the balancer names no one.
      String forged = Base64.getEncoder().encodeToString(server.clientKey("forged").certificate().getEncoded());
      String answer = postFrom("127.0.0.9", server.opampPort(), CERT_HEADER + ": " + forged + "\r\n");
      assertThat(answer).startsWith("HTTP/1.1 403").contains(CERT_HEADER + " is taken only from the balancers");
    }
  }

  @Test
  void aServerThatLosesItsStoreIsUnreadyAndTheBalancerSendsNewAgentsToTheOthers() throws Exception {
    try (PostgresContainer postgres = new PostgresContainer()) {
      postgres.start();
      try (CuttableLink storeOfA = new CuttableLink(postgres.port())) {
        Balancers balancer = new Balancers(List.of(BALANCER + "/32"), true, null);
        TestFleet a = new TestFleet(dir.resolve("a"), Optional.of(postgres.jdbcUrl(storeOfA.port())))
            .behind(balancer, false).start();
        TestFleet b = new TestFleet(dir.resolve("b"), Optional.of(postgres.jdbcUrl())).behind(balancer, false).start();
        int front = freePort();
        StringBuilder servers = new StringBuilder();
        for (TestFleet server : List.of(a, b)) {
          servers.append("  server ").append(server.replicaName()).append(" 127.0.0.1:").append(server.opampPort())
              .append(" send-proxy-v2 check port ").append(server.adminUrl().getPort()).append('\n');
        }
        // As the README gives it: readiness checked on each server's admin listener.
        Path config = Files.writeString(dir.resolve("haproxy.cfg"), defaults("tcp")
            + "frontend agents\n  bind 127.0.0.1:" + front + "\n  default_backend servers\n"
            + "backend servers\n  balance roundrobin\n  source " + BALANCER + "\n" + READINESS_CHECK
            + "  default-server inter 500ms fall 2 rise 2\n" + servers);
        try (a; b; HaproxyContainer haproxy = new HaproxyContainer(config)) {
          haproxy.start();
          haproxy.awaitListening(front);
          AdminClient anonymousA = a.admin(null);

          storeOfA.cut();
          await().atMost(Duration.ofSeconds(20)).until(() -> anonymousA.get("/readyz").status() == 503);
          // Two failed checks half a second apart, and HAProxy takes A out.
          Thread.sleep(1_500);
          List<SimulatedAgent> agents = new ArrayList<>();
          try {
            for (int i = 0; i < 4; i++) {
              ByteString uid = SimulatedAgent.newUid();
              agents.add(SimulatedAgent.builder(uid).labels(Map.of("tier", "web"))
                  .overMutualTls(URI.create("ws://localhost:" + front + "/v1/opamp"), b.clientKey(InstanceUid.text(uid)),
                      b.ca().certificate())
                  .build().start());
            }
            AdminClient viewerB = b.admin(TestFleet.VIEWER);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
              for (SimulatedAgent agent : agents) {
                JsonNode seen = viewerB.get("/api/v1/agents/" + agent.uid()).body();
                assertThat(seen.path("replica").asText()).as(seen.toString()).isEqualTo("b");
              }
            });
          } finally {
            agents.forEach(SimulatedAgent::close);
          }

          storeOfA.restore();
          await().atMost(Duration.ofSeconds(30)).until(() -> anonymousA.get("/readyz").status() == 200);
        }
      }
    }
  }

  /** An agent connects through the balancer on {@code front}; the server's view of it once connected. */
  private static JsonNode connectThrough(TestFleet server, int front) {
    ByteString uid = SimulatedAgent.newUid();
    try (SimulatedAgent agent = SimulatedAgent.builder(uid).labels(Map.of("service.name", "behind"))
        .overMutualTls(URI.create("wss://localhost:" + front + "/v1/opamp"), server.clientKey(InstanceUid.text(uid)),
            server.ca().certificate())
        .build().start()) {
      AdminClient viewer = server.admin(TestFleet.VIEWER);
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        AdminClient.Answer found = viewer.get("/api/v1/agents/" + agent.uid());
        return found.status() == 200 && found.body().get("connected").asBoolean();
      });
      JsonNode seen = viewer.get("/api/v1/agents/" + agent.uid()).body();
      assertThat(seen.get("certificate").get("subject").asText()).contains(agent.uid());
      return seen;
    }
  }

  private static String defaults(String mode) {
    return "defaults\n  mode " + mode + "\n  timeout connect 5s\n  timeout client 5m\n  timeout server 5m\n"
        + "  timeout tunnel 1h\n";
  }

  /** An OpAMP POST straight to the server from a loopback address of our choice; the whole answer. */
  private static String postFrom(String from, int port, String headers) throws IOException {
    byte[] body = AgentToServer.newBuilder().setInstanceUid(ByteString.copyFrom(new byte[16])).build().toByteArray();
    try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), port, InetAddress.getByName(from), 0)) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/opamp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-protobuf\r\n"
          + "Content-Length: " + body.length + "\r\nConnection: close\r\n" + headers + "\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      socket.getInputStream().transferTo(answer);
      return answer.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

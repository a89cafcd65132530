package io.opampfleet.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.CertificateIdentity;
import io.opampfleet.certs.CertifiedKey;
import io.opampfleet.certs.KeyAlgorithm;
import io.opampfleet.certs.Pem;
import io.opampfleet.certs.ServerNames;
import io.opampfleet.certs.TlsContexts;
import io.opampfleet.certs.Validity;
import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.OpampServer;
import io.opampfleet.netty.server.ServerCallbacks;
import io.opampfleet.peers.RealCollector;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.supervisor.config.SupervisorConfigLoader;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supervisor connects to our server over mutual TLS with server::tls's files, and is known by its certificate. */
class SupervisorOverMutualTlsIT {
  @TempDir
  Path dir;

  @Test
  void theSupervisorIsServedOverMutualTlsAndNamedByItsCertificate() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("Fleet CA", KeyAlgorithm.EC_P256, Validity.days(1));
    CertifiedKey agent = ca.issueClient("supervised-agent-1", Validity.days(1));
    Pem.write(dir.resolve("ca.crt"), ca.certificate());
    Pem.write(dir.resolve("agent.crt"), (Object[]) agent.chainArray());
    Pem.write(dir.resolve("agent.key"), agent.privateKey());
    List<AgentToServer> received = new CopyOnWriteArrayList<>();
    List<AgentConnection> connections = new CopyOnWriteArrayList<>();
    try (OpampServer server = OpampServer.builder()
        .bind(new InetSocketAddress("127.0.0.1", 0))
        .tls(TlsContexts.preferred().mutualTlsServer(ca.issueServer(ServerNames.localhost(), Validity.days(1)), ca.certificate()))
        .callbacks(new ServerCallbacks() {
          @Override
          public void onConnected(AgentConnection connection) {
            connections.add(connection);
          }

          @Override
          public CompletionStage<ServerToAgent> onMessage(AgentConnection connection, AgentToServer message) {
            received.add(message);
            return CompletableFuture.completedFuture(ServerToAgent.newBuilder().setCapabilities(1).build());
          }
        })
        .start()) {
      Path config = Files.writeString(dir.resolve("supervisor.yaml"), """
          server:
            endpoint: wss://localhost:%d/v1/opamp
            tls: {ca_file: %s, cert_file: %s, key_file: %s}
          storage: {directory: %s}
          agent: {executable: %s, bootstrap_timeout: 10s}
          """.formatted(server.address().getPort(), dir.resolve("ca.crt"), dir.resolve("agent.crt"),
          dir.resolve("agent.key"), dir.resolve("storage"), RealCollector.binary()));
      try (Supervisor supervisor = new Supervisor(new SupervisorConfigLoader(Map.<String, String>of()::get).load(config).config())) {
        supervisor.start();

        await().atMost(Duration.ofSeconds(40)).until(() -> received.stream().anyMatch(m -> m.getHealth().getHealthy()));
        assertThat(received).anySatisfy(m -> assertThat(m.hasAgentDescription()).isTrue());
        assertThat(CertificateIdentity.commonName(connections.get(0).peerCertificates().get(0))).isEqualTo("supervised-agent-1");
      }
    }
  }
}

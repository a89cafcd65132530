package io.opampfleet.netty.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.CertificateIdentity;
import io.opampfleet.certs.KeyAlgorithm;
import io.opampfleet.certs.ServerNames;
import io.opampfleet.certs.TlsContexts;
import io.opampfleet.certs.Validity;
import io.opampfleet.peers.JdkClients;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.proto.framing.WebSocketMessageCodec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server over mutual TLS: agents with a certificate from its CA get in, and it knows who they are. */
class MutualTlsServerIT {
  private static final AgentToServer REPORT = AgentToServer.newBuilder()
      .setInstanceUid(ByteString.copyFromUtf8("0123456789abcdef")).setSequenceNum(1).setCapabilities(1).build();

  private final CertificateAuthority ca = CertificateAuthority.create("Test CA", KeyAlgorithm.EC_P256, Validity.days(2));
  private final List<ConnectionRequest> requests = new CopyOnWriteArrayList<>();
  private final List<AgentConnection> connections = new CopyOnWriteArrayList<>();
  private OpampServer server;

  @BeforeEach
  void start() {
    server = OpampServer.builder()
        .bind(new InetSocketAddress("127.0.0.1", 0))
        .tls(TlsContexts.preferred().mutualTlsServer(ca.issueServer(ServerNames.localhost(), Validity.days(2)), ca.certificate()))
        .callbacks(new ServerCallbacks() {
          @Override
          public ConnectionDecision onConnecting(ConnectionRequest request) {
            requests.add(request);
            return ConnectionDecision.accept();
          }

          @Override
          public void onConnected(AgentConnection connection) {
            connections.add(connection);
          }
        })
        .start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void anAgentWithItsCertificateIsServedOverHttpsAndNamedByIt() throws Exception {
    var client = JdkClients.http(JdkClients.tls(ca.issueClient("agent-https", Validity.days(1)), ca.certificate()));

    ServerToAgent reply = JdkClients.exchange(client, endpoint("https"), REPORT);

    assertThat(reply.getInstanceUid()).isEqualTo(REPORT.getInstanceUid());
    assertThat(CertificateIdentity.commonName(requests.get(0).peerCertificates().get(0))).isEqualTo("agent-https");
    assertThat(CertificateIdentity.commonName(connections.get(0).peerCertificates().get(0))).isEqualTo("agent-https");
  }

  @Test
  void anAgentWithItsCertificateIsServedOverWssAndNamedByIt() throws Exception {
    var client = JdkClients.http(JdkClients.tls(ca.issueClient("agent-wss", Validity.days(1)), ca.certificate()));
    JdkClients.Socket socket = JdkClients.Socket.open(client, endpoint("wss"));

    socket.webSocket.sendBinary(ByteBuffer.wrap(ByteBufUtil.getBytes(WebSocketMessageCodec.encode(REPORT, ByteBufAllocator.DEFAULT))), true);
    ServerToAgent reply = WebSocketMessageCodec.decode(Unpooled.wrappedBuffer(socket.next()), ServerToAgent.parser());

    assertThat(reply.getInstanceUid()).isEqualTo(REPORT.getInstanceUid());
    assertThat(connections).singleElement().satisfies(connection -> {
      assertThat(connection.transport()).isEqualTo(Transport.WEBSOCKET);
      assertThat(CertificateIdentity.commonName(connection.peerCertificates().get(0))).isEqualTo("agent-wss");
    });
  }

  @Test
  void anAgentWithoutACertificateIsRefused() throws Exception {
    var client = JdkClients.http(JdkClients.tls(null, ca.certificate()));

    assertThatThrownBy(() -> JdkClients.exchange(client, endpoint("https"), REPORT)).isInstanceOf(IOException.class);
    assertThat(requests).isEmpty();
  }

  private URI endpoint(String scheme) {
    return URI.create(scheme + "://localhost:" + server.address().getPort() + OpampServer.DEFAULT_PATH);
  }
}

package io.opampfleet.netty.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.KeyAlgorithm;
import io.opampfleet.certs.Validity;
import io.opampfleet.proto.AgentToServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A balancer's PROXY header and forwarded certificate are taken from the balancers' addresses only;
 * the same from any other address is refused.
 */
class BalancersIT {
  private static final String CERT_HEADER = "X-SSL-Client-Cert";

  private final List<ConnectionRequest> admitted = new CopyOnWriteArrayList<>();

  @Test
  void aProxyHeaderFromABalancerNamesTheClient() throws Exception {
    try (OpampServer server = server(new Balancers(List.of("127.0.0.1/32"), true, null))) {
      String answer = exchange(server, "127.0.0.1", proxyV2("203.0.113.7", 5555), "");

      assertThat(answer).startsWith("HTTP/1.1 200");
      assertThat(admitted).hasSize(1);
      assertThat(admitted.get(0).remoteAddress()).isEqualTo(
          new InetSocketAddress(InetAddress.getByName("203.0.113.7"), 5555));
    }
  }

  @Test
  void aProxyHeaderFromAnotherAddressIsNotRead() throws Exception {
    try (OpampServer server = server(new Balancers(List.of("127.0.0.2/32"), true, null))) {
      String answer = exchange(server, "127.0.0.1", proxyV2("203.0.113.7", 5555), "");

      assertThat(answer).doesNotStartWith("HTTP/1.1 200");
      assertThat(admitted).isEmpty();
    }
  }

  @Test
  void aBalancerThatEndsTlsForwardsTheClientsCertificate() throws Exception {
    X509Certificate agent = certificate();
    try (OpampServer server = server(new Balancers(List.of("127.0.0.1/32"), false, CERT_HEADER))) {
      String answer = exchange(server, "127.0.0.1", new byte[0],
          CERT_HEADER + ": " + Base64.getEncoder().encodeToString(agent.getEncoded()) + "\r\n");

      assertThat(answer).startsWith("HTTP/1.1 200");
      assertThat(admitted).hasSize(1);
      assertThat(admitted.get(0).peerCertificates()).containsExactly(agent);
    }
  }

  @Test
  void aCertificateHeaderFromAnotherAddressIsRefused() throws Exception {
    X509Certificate agent = certificate();
    try (OpampServer server = server(new Balancers(List.of("127.0.0.2/32"), false, CERT_HEADER))) {
      String answer = exchange(server, "127.0.0.1", new byte[0],
          CERT_HEADER + ": " + Base64.getEncoder().encodeToString(agent.getEncoded()) + "\r\n");

      assertThat(answer).startsWith("HTTP/1.1 403").contains(CERT_HEADER + " is taken only from the balancers");
      assertThat(admitted).isEmpty();
    }
  }

  @Test
  void aCertificateHeaderThatHoldsNoneIsABadRequest() throws Exception {
    try (OpampServer server = server(new Balancers(List.of("127.0.0.1/32"), false, CERT_HEADER))) {
      String answer = exchange(server, "127.0.0.1", new byte[0], CERT_HEADER + ": not-a-certificate\r\n");

      assertThat(answer).startsWith("HTTP/1.1 400");
      assertThat(admitted).isEmpty();
    }
  }

  private OpampServer server(Balancers balancers) {
    return OpampServer.builder()
        .bind(new InetSocketAddress("127.0.0.1", 0))
        .balancers(balancers)
        .callbacks(new ServerCallbacks() {
          @Override
          public ConnectionDecision onConnecting(ConnectionRequest request) {
            admitted.add(request);
            return ConnectionDecision.accept();
          }
        })
        .start();
  }

  /** One OpAMP POST from {@code from}, after {@code prefix}, with extra header lines; the whole answer. */
  private static String exchange(OpampServer server, String from, byte[] prefix, String headers) throws Exception {
    byte[] body = AgentToServer.newBuilder().setInstanceUid(ByteString.copyFrom(new byte[16])).build().toByteArray();
    try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), server.address().getPort(),
        InetAddress.getByName(from), 0)) {
      socket.setSoTimeout(5000);
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      try {
        OutputStream out = socket.getOutputStream();
        out.write(prefix);
        out.write(("POST " + OpampServer.DEFAULT_PATH + " HTTP/1.1\r\nHost: localhost\r\n"
            + "Content-Type: application/x-protobuf\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n"
            + headers + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        InputStream in = socket.getInputStream();
        in.transferTo(answer);
      } catch (java.net.SocketException closed) {
        // A connection closed on a bad start may be gone before the request is all written, or end in
        // a reset: what was read is the answer.
      }
      return answer.toString(StandardCharsets.ISO_8859_1);
    }
  }

  /** A PROXY v2 header naming the client, as HAProxy's send-proxy-v2 writes it. */
  private static byte[] proxyV2(String clientAddress, int clientPort) {
    EmbeddedChannel encoder = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
    encoder.writeOutbound(new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY,
        HAProxyProxiedProtocol.TCP4, clientAddress, "127.0.0.1", clientPort, 4320));
    ByteBuf encoded = encoder.readOutbound();
    try {
      return ByteBufUtil.getBytes(encoded);
    } finally {
      encoded.release();
      encoder.finishAndReleaseAll();
    }
  }

  private static X509Certificate certificate() {
    CertificateAuthority ca = CertificateAuthority.create("balancer test CA", KeyAlgorithm.EC_P256, Validity.days(1));
    return ca.issueClient("agent-1", Validity.days(1)).certificate();
  }
}

package io.opampfleet.certs.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.CertificateIdentity;
import io.opampfleet.certs.CertifiedKey;
import io.opampfleet.certs.KeyAlgorithm;
import io.opampfleet.certs.ServerNames;
import io.opampfleet.certs.TlsContexts;
import io.opampfleet.certs.Validity;
import io.netty.handler.ssl.SslContext;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Real TLS 1.3 handshakes over loopback with certificates this PKI makes, on OpenSSL and on the JDK. */
class MutualTlsHandshakeTest {
  private static CertificateAuthority ca;
  private static CertificateAuthority otherCa;
  private static CertifiedKey server;
  private static CertifiedKey agent;
  private static LoopbackTls loopback;

  @BeforeAll
  static void issue() {
    ca = CertificateAuthority.create("Test CA", KeyAlgorithm.EC_P256, Validity.days(30));
    otherCa = CertificateAuthority.create("Unknown CA", KeyAlgorithm.EC_P256, Validity.days(30));
    server = ca.issueServer(ServerNames.localhost(), Validity.days(30));
    agent = ca.issueClient("agent-0001", Validity.days(30));
    loopback = new LoopbackTls();
  }

  @AfterAll
  static void stop() {
    loopback.close();
  }

  static Stream<TlsContexts> providers() {
    return OpenSsl.isAvailable()
        ? Stream.of(new TlsContexts(SslProvider.OPENSSL), new TlsContexts(SslProvider.JDK))
        : Stream.of(new TlsContexts(SslProvider.JDK));
  }

  @Test
  void openSslIsPreferredWhereItLoads() {
    assertThat(TlsContexts.preferred().provider()).isEqualTo(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void mutualTlsConnectsAndEachSideSeesTheOther(TlsContexts tls) throws Exception {
    LoopbackTls.Outcome outcome = loopback.handshake(
        tls.mutualTlsServer(server, ca.certificate()), tls.mutualTlsClient(agent, ca.certificate()), "localhost");

    assertThat(CertificateIdentity.commonName(outcome.serverSawClient())).isEqualTo("agent-0001");
    assertThat(outcome.clientSawServer()).isEqualTo(server.certificate());
  }

  @ParameterizedTest
  @MethodSource("providers")
  void anIpAddressInTheServerCertificateIsAcceptedAsAName(TlsContexts tls) throws Exception {
    LoopbackTls.Outcome outcome = loopback.handshake(
        tls.mutualTlsServer(server, ca.certificate()), tls.mutualTlsClient(agent, ca.certificate()), "127.0.0.1");

    assertThat(outcome.clientSawServer()).isEqualTo(server.certificate());
  }

  @ParameterizedTest
  @MethodSource("providers")
  void aClientCertificateFromAnUnknownCaIsRefused(TlsContexts tls) throws Exception {
    CertifiedKey stranger = otherCa.issueClient("agent-0001", Validity.days(30));

    LoopbackTls.Outcome outcome = loopback.handshake(
        tls.mutualTlsServer(server, ca.certificate()), tls.mutualTlsClient(stranger, ca.certificate()), "localhost");

    assertRefused(outcome::serverSawClient);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void aServerCertificateFromAnUnknownCaIsRefused(TlsContexts tls) throws Exception {
    CertifiedKey impostor = otherCa.issueServer(ServerNames.localhost(), Validity.days(30));

    LoopbackTls.Outcome outcome = loopback.handshake(
        tls.mutualTlsServer(impostor, ca.certificate()), tls.mutualTlsClient(agent, ca.certificate()), "localhost");

    assertRefused(outcome::clientSawServer);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void anExpiredClientCertificateIsRefused(TlsContexts tls) throws Exception {
    Instant now = Instant.now();
    CertifiedKey expired = ca.issueClient("agent-0002",
        new Validity(now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1))));

    LoopbackTls.Outcome outcome = loopback.handshake(
        tls.mutualTlsServer(server, ca.certificate()), tls.mutualTlsClient(expired, ca.certificate()), "localhost");

    assertRefused(outcome::serverSawClient);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void aServerCertificateForAnotherNameIsRefused(TlsContexts tls) throws Exception {
    CertifiedKey elsewhere = ca.issueServer(new ServerNames(List.of("opamp.example.com"), List.of()), Validity.days(30));

    LoopbackTls.Outcome outcome = loopback.handshake(
        tls.mutualTlsServer(elsewhere, ca.certificate()), tls.mutualTlsClient(agent, ca.certificate()), "localhost");

    assertRefused(outcome::clientSawServer);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void aClientWithoutACertificateIsRefused(TlsContexts tls) throws Exception {
    LoopbackTls.Outcome outcome = loopback.handshake(
        tls.mutualTlsServer(server, ca.certificate()), tls.tlsClient(ca.certificate()), "localhost");

    assertRefused(outcome::serverSawClient);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void aServerWithoutClientAuthenticationAcceptsAClientWithoutACertificate(TlsContexts tls) throws Exception {
    LoopbackTls.Outcome outcome = loopback.handshake(tls.tlsServer(server), tls.tlsClient(ca.certificate()), "localhost");

    assertThat(outcome.clientSawServer()).isEqualTo(server.certificate());
    assertThat(outcome.serverSawClient()).isNull();
  }

  @ParameterizedTest
  @MethodSource("providers")
  void rsaCertificatesWorkToo(TlsContexts tls) throws Exception {
    CertificateAuthority rsaCa = CertificateAuthority.create("RSA CA", KeyAlgorithm.RSA_2048, Validity.days(30));
    CertifiedKey rsaServer = rsaCa.issueServer(ServerNames.localhost(), Validity.days(30));
    CertifiedKey rsaAgent = rsaCa.issueClient("agent-rsa", Validity.days(30));

    LoopbackTls.Outcome outcome = loopback.handshake(tls.mutualTlsServer(rsaServer, rsaCa.certificate()),
        tls.mutualTlsClient(rsaAgent, rsaCa.certificate()), "localhost");

    assertThat(CertificateIdentity.commonName(outcome.serverSawClient())).isEqualTo("agent-rsa");
  }

  @Test
  void aClientOfManyIdentitiesKnowsAServerItAcceptedAndStillRefusesOthers() throws Exception {
    assumeTrue(OpenSsl.isAvailable(), "several identities on one context need OpenSSL");
    TlsContexts tls = new TlsContexts(SslProvider.OPENSSL);
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("agent", agent.privateKey(), new char[0], agent.chainArray());
    KeyManagerFactory keys = KeyManagerFactory.getInstance("SunX509");
    keys.init(store, new char[0]);
    SslContext client = tls.mutualTlsClient((X509ExtendedKeyManager) keys.getKeyManagers()[0], ca.certificate());

    for (int connection = 0; connection < 2; connection++) {
      assertThat(loopback.handshake(tls.mutualTlsServer(server, ca.certificate()), client, "localhost")
          .clientSawServer()).isEqualTo(server.certificate());
    }
    CertifiedKey elsewhere = ca.issueServer(new ServerNames(List.of("opamp.example.com"), List.of()), Validity.days(30));
    assertRefused(loopback.handshake(tls.mutualTlsServer(elsewhere, ca.certificate()), client, "localhost")
        ::clientSawServer);
    CertifiedKey impostor = otherCa.issueServer(ServerNames.localhost(), Validity.days(30));
    assertRefused(loopback.handshake(tls.mutualTlsServer(impostor, ca.certificate()), client, "localhost")
        ::clientSawServer);
  }

  private interface Side {
    Object get() throws Exception;
  }

  private static void assertRefused(Side side) {
    assertThatThrownBy(side::get)
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfAny(SSLException.class, java.nio.channels.ClosedChannelException.class);
  }
}

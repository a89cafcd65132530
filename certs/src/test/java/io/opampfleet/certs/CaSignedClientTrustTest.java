package io.opampfleet.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CaSignedClientTrustTest {
  private static final CertificateAuthority CA = CertificateAuthority.create("Agents CA", KeyAlgorithm.EC_P256,
      Validity.days(30));
  private final CaSignedClientTrust trust = CaSignedClientTrust.of(CA.certificate());

  @Test
  void aClientCertificateTheCaSignedPassesTheFastCheckAloneOrWithTheCa() throws CertificateException {
    CertifiedKey agent = CA.issueClient("agent-1", Validity.days(1));

    assertThat(trust.signedByCa(new X509Certificate[] {agent.certificate()})).isTrue();
    assertThat(trust.signedByCa(new X509Certificate[] {agent.certificate(), CA.certificate()})).isTrue();
    trust.checkClientTrusted(new X509Certificate[] {agent.certificate()}, "ECDHE_ECDSA");
    assertThat(trust.getAcceptedIssuers()).containsExactly(CA.certificate());
  }

  @Test
  void anImpostorCaOfTheSameNameIsLeftToTheJdkWhichRefusesIt() {
    CertificateAuthority impostor = CertificateAuthority.create("Agents CA", KeyAlgorithm.EC_P256, Validity.days(30));
    X509Certificate forged = impostor.issueClient("agent-1", Validity.days(1)).certificate();

    assertThat(forged.getIssuerX500Principal()).isEqualTo(CA.certificate().getSubjectX500Principal());
    assertThat(trust.signedByCa(new X509Certificate[] {forged})).isFalse();
    assertThatThrownBy(() -> trust.checkClientTrusted(new X509Certificate[] {forged}, "ECDHE_ECDSA"))
        .isInstanceOf(CertificateException.class);
  }

  @Test
  void anExpiredOrNotYetValidCertificateIsLeftToTheJdkWhichRefusesIt() {
    Instant now = Instant.now();
    X509Certificate expired = CA.issueClient("agent-1",
        new Validity(now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(1)))).certificate();
    X509Certificate early = CA.issueClient("agent-1",
        new Validity(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(3)))).certificate();

    for (X509Certificate certificate : new X509Certificate[] {expired, early}) {
      assertThat(trust.signedByCa(new X509Certificate[] {certificate})).isFalse();
      assertThatThrownBy(() -> trust.checkClientTrusted(new X509Certificate[] {certificate}, "ECDHE_ECDSA"))
          .isInstanceOf(CertificateException.class);
    }
  }

  @Test
  void aServerCertificateIsNoClientsEvenFromTheCa() {
    X509Certificate server = CA.issueServer(ServerNames.localhost(), Validity.days(1)).certificate();

    assertThat(trust.signedByCa(new X509Certificate[] {server})).isFalse();
    assertThatThrownBy(() -> trust.checkClientTrusted(new X509Certificate[] {server}, "ECDHE_ECDSA"))
        .isInstanceOf(CertificateException.class);
  }

  @Test
  void aChainThroughAnotherCertificateOrACaOfAnotherKindGoesToTheJdk() throws CertificateException {
    CertifiedKey agent = CA.issueClient("agent-1", Validity.days(1));
    X509Certificate stranger = CertificateAuthority.create("Other", KeyAlgorithm.EC_P256, Validity.days(1)).certificate();
    assertThat(trust.signedByCa(new X509Certificate[] {agent.certificate(), stranger})).isFalse();

    CertificateAuthority rsaCa = CertificateAuthority.create("RSA CA", KeyAlgorithm.RSA_2048, Validity.days(30));
    CaSignedClientTrust rsaTrust = CaSignedClientTrust.of(rsaCa.certificate());
    X509Certificate rsaAgent = rsaCa.issueClient("agent-2", Validity.days(1)).certificate();
    assertThat(rsaTrust.signedByCa(new X509Certificate[] {rsaAgent})).isFalse();
    rsaTrust.checkClientTrusted(new X509Certificate[] {rsaAgent}, "ECDHE_RSA");
  }
}

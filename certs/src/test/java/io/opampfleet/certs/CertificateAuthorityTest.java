package io.opampfleet.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CertificateAuthorityTest {
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  private final CertificateAuthority ca = CertificateAuthority.create("Fleet CA", KeyAlgorithm.EC_P256, Validity.days(10));

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void aNewCaIsASelfSignedAuthorityOfTheChosenKeyType(KeyAlgorithm algorithm) throws Exception {
    CertificateAuthority root = CertificateAuthority.create("Root", algorithm, Validity.days(10));
    X509Certificate certificate = root.certificate();

    certificate.verify(certificate.getPublicKey());
    assertThat(certificate.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(certificate.getKeyUsage()[5]).as("keyCertSign").isTrue();
    assertThat(root.keyAlgorithm()).isEqualTo(algorithm);
    assertThat(CertificateIdentity.commonName(certificate)).isEqualTo("Root");
  }

  @Test
  void aServerCertificateCarriesItsNamesAndIsForServersOnly() throws Exception {
    CertifiedKey server = ca.issueServer(new ServerNames(List.of("opamp.internal", "localhost"), List.of("10.1.2.3", "::1")),
        Validity.days(5));

    server.certificate().verify(ca.certificate().getPublicKey());
    assertThat(server.certificate().getSubjectAlternativeNames())
        .extracting(name -> (Object) name.get(1))
        .containsExactlyInAnyOrder((Object) "opamp.internal", "localhost", "10.1.2.3", "0:0:0:0:0:0:0:1");
    assertThat(server.certificate().getExtendedKeyUsage()).containsExactly(SERVER_AUTH);
    assertThat(server.certificate().getBasicConstraints()).isEqualTo(-1);
    assertThat(server.chain()).containsExactly(server.certificate(), ca.certificate());
  }

  @Test
  void aClientCertificateNamesTheAgentAndIsForClientsOnly() throws Exception {
    CertifiedKey client = ca.issueClient("0192f3a4-agent", Validity.days(5));

    client.certificate().verify(ca.certificate().getPublicKey());
    assertThat(CertificateIdentity.commonName(client.certificate())).isEqualTo("0192f3a4-agent");
    assertThat(client.certificate().getExtendedKeyUsage()).containsExactly(CLIENT_AUTH);
    assertThat(CertificateAuthority.keyMatches(client.certificate().getPublicKey(), client.privateKey())).isTrue();
  }

  @Test
  void bulkIssueGivesEveryAgentItsOwnKeyAndSerial() throws Exception {
    List<String> identities = IntStream.range(0, 300).mapToObj(i -> "agent-" + i).toList();

    List<CertifiedKey> issued = ca.issueClients(identities, Validity.days(1));

    assertThat(issued).extracting(k -> CertificateIdentity.commonName(k.certificate()))
        .containsExactlyInAnyOrderElementsOf(identities);
    Set<Object> serials = new HashSet<>();
    Set<Object> keys = new HashSet<>();
    for (CertifiedKey key : issued) {
      key.certificate().verify(ca.certificate().getPublicKey());
      serials.add(key.certificate().getSerialNumber());
      keys.add(key.certificate().getPublicKey());
    }
    assertThat(serials).hasSize(300);
    assertThat(keys).hasSize(300);
  }

  @Test
  void anExistingCaIsLoadedFromItsCertificateAndKey() throws Exception {
    CertificateAuthority loaded = CertificateAuthority.of(ca.certificate(), ca.certifiedKey().privateKey());

    loaded.issueClient("agent-1", Validity.days(1)).certificate().verify(ca.certificate().getPublicKey());
  }

  @Test
  void aKeyThatIsNotTheCertificatesIsRefused() {
    CertificateAuthority other = CertificateAuthority.create("Other", KeyAlgorithm.EC_P256, Validity.days(1));

    assertThatThrownBy(() -> CertificateAuthority.of(ca.certificate(), other.certifiedKey().privateKey()))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("private key does not belong to the CA certificate");
  }

  @Test
  void aCertificateThatIsNotACasIsRefusedAsACa() {
    CertifiedKey client = ca.issueClient("agent-1", Validity.days(1));

    assertThatThrownBy(() -> CertificateAuthority.of(client.certificate(), client.privateKey()))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("not a CA certificate");
  }

  @Test
  void namesThatAreNotNamesAreRefused() {
    assertThatThrownBy(() -> new ServerNames(List.of(), List.of("not-an-ip")))
        .isInstanceOf(PkiException.class).hasMessageContaining("'not-an-ip' is not an IP address");
    assertThatThrownBy(() -> new ServerNames(List.of("bad name"), List.of()))
        .isInstanceOf(PkiException.class).hasMessageContaining("not a DNS name");
    assertThatThrownBy(() -> new ServerNames(List.of(), List.of()))
        .isInstanceOf(PkiException.class).hasMessageContaining("at least one");
    assertThatThrownBy(() -> ca.issueClient(" ", Validity.days(1)))
        .isInstanceOf(PkiException.class).hasMessageContaining("identity");
  }
}

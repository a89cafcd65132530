package io.opampfleet.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;

class CsrPolicyTest {
  private final CertificateAuthority ca = CertificateAuthority.create("Fleet CA", KeyAlgorithm.EC_P256, Validity.days(10));
  private final CsrPolicy policy = CsrPolicy.clientCertificates("agent-[0-9a-f]{8}", Duration.ofDays(30));
  private final KeyPair agentKeys = KeyAlgorithm.EC_P256.generate();

  @Test
  void aRequestWithinThePolicyIsSignedForTheKeyItCarries() throws Exception {
    PKCS10CertificationRequest request = CertificateRequests.create(agentKeys, "agent-0a1b2c3d");

    X509Certificate certificate = ca.signClientRequest(request, policy);

    certificate.verify(ca.certificate().getPublicKey());
    assertThat(certificate.getPublicKey()).isEqualTo(agentKeys.getPublic());
    assertThat(CertificateIdentity.commonName(certificate)).isEqualTo("agent-0a1b2c3d");
    assertThat(certificate.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    Duration validity = Duration.between(certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant());
    assertThat(validity).isBetween(Duration.ofDays(30), Duration.ofDays(30).plusMinutes(6));
  }

  @Test
  void aSubjectOutsideThePolicyIsRefused() {
    PKCS10CertificationRequest request = CertificateRequests.create(agentKeys, "admin");

    assertThatThrownBy(() -> ca.signClientRequest(request, policy))
        .isInstanceOf(PkiException.class)
        .hasMessage("the CSR's subject common name 'admin' is not allowed: the policy requires it to match agent-[0-9a-f]{8}");
  }

  @Test
  void aRequestSignedByAnotherKeyIsRefused() throws Exception {
    KeyPair thief = KeyAlgorithm.EC_P256.generate();
    PKCS10CertificationRequest forged = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=agent-0a1b2c3d"),
        agentKeys.getPublic()).build(KeyAlgorithm.EC_P256.contentSigner(thief.getPrivate()));

    assertThatThrownBy(() -> ca.signClientRequest(forged, policy))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("signature does not verify");
  }

  @Test
  void aRequestToBeACaIsRefused() throws Exception {
    ExtensionsGenerator extensions = new ExtensionsGenerator();
    extensions.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));

    assertThatThrownBy(() -> ca.signClientRequest(requestWith(extensions), policy))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("asks to be a certificate authority");
  }

  @Test
  void aRequestForServerAuthenticationIsRefused() throws Exception {
    ExtensionsGenerator extensions = new ExtensionsGenerator();
    extensions.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));

    assertThatThrownBy(() -> ca.signClientRequest(requestWith(extensions), policy))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("asks for the key purpose serverAuth");
  }

  @Test
  void aRequestForClientAuthenticationOnlyIsSigned() throws Exception {
    ExtensionsGenerator extensions = new ExtensionsGenerator();
    extensions.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));

    assertThat(ca.signClientRequest(requestWith(extensions), policy)).isNotNull();
  }

  private PKCS10CertificationRequest requestWith(ExtensionsGenerator extensions) throws Exception {
    return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=agent-0a1b2c3d"), agentKeys.getPublic())
        .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
        .build(KeyAlgorithm.EC_P256.contentSigner(agentKeys.getPrivate()));
  }
}

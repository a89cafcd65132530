package io.opampfleet.harness.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.KeyAlgorithm;
import io.opampfleet.certs.Pem;
import io.opampfleet.certs.Validity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agents' minted certificates, kept for the next run of the same CA only, and not past their end. */
class AgentCertificatesTest {
  private static final String UID = "00000000-0000-0000-0000-000000000001";

  @TempDir
  Path dir;

  @Test
  void aCertificateMintedByAnotherCaIsNotTakenForTheNewOnesAgent() throws Exception {
    CertificateAuthority first = ca("first");
    CertificateAuthority second = ca("second");

    X509Certificate byFirst = mintedFor("first", first);
    X509Certificate bySecond = mintedFor("second", second);

    // A server of the second PKI would refuse one the first signed.
    bySecond.verify(second.certificate().getPublicKey());
    assertThat(bySecond.getIssuerX500Principal()).isEqualTo(second.certificate().getSubjectX500Principal());
    assertThat(byFirst.getIssuerX500Principal()).isEqualTo(first.certificate().getSubjectX500Principal());
    // Kept for the next run of each.
    assertThat(mintedFor("first", first)).isEqualTo(byFirst);
  }

  @Test
  void aCachedCertificateAboutToEndIsMintedAgain() throws Exception {
    CertificateAuthority ca = ca("ending");
    Path cached = dir.resolve("certs").resolve(AgentCertificates.fingerprint(ca.certificate()));
    Files.createDirectories(cached);
    var ending = ca.issueClient(UID, Validity.of(Duration.ofHours(1)));
    Pem.write(cached.resolve(UID + ".key"), ending.privateKey());
    Pem.write(cached.resolve(UID + ".crt"), (Object[]) ending.chainArray());

    X509Certificate used = mintedFor("ending", ca);

    assertThat(used).isNotEqualTo(ending.certificate());
    assertThat(used.getNotAfter()).isAfter(ending.certificate().getNotAfter());
  }

  private CertificateAuthority ca(String name) throws Exception {
    CertificateAuthority ca = CertificateAuthority.create(name, KeyAlgorithm.EC_P256, Validity.days(1));
    Pem.write(dir.resolve(name + ".crt"), ca.certificate());
    Pem.write(dir.resolve(name + ".key"), ca.certifiedKey().privateKey());
    return ca;
  }

  /** The agent's certificate after a run with this CA's key and the shared cache. */
  private X509Certificate mintedFor(String name, CertificateAuthority ca) {
    AgentCertificates.of(dir.resolve(name + ".crt"), null, null, dir.resolve(name + ".key"), dir.resolve("certs"))
        .prepare(List.of(UID));
    Path crt = dir.resolve("certs").resolve(AgentCertificates.fingerprint(ca.certificate())).resolve(UID + ".crt");
    return Pem.readCertificate(crt);
  }
}

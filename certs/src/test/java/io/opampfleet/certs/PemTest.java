package io.opampfleet.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemTest {
  private static final CertificateAuthority CA = CertificateAuthority.create("CA", KeyAlgorithm.EC_P256, Validity.days(1));

  @TempDir
  Path dir;

  @Test
  void certificatesKeysAndRequestsComeBackAsTheyWent() throws Exception {
    CertifiedKey client = CA.issueClient("agent-1", Validity.days(1));
    PKCS10CertificationRequest request = CertificateRequests.create(KeyAlgorithm.EC_P256.generate(), "agent-2");
    Path chain = dir.resolve("client.crt");
    Path key = dir.resolve("client.key");
    Path csr = dir.resolve("client.csr");

    Pem.write(chain, (Object[]) client.chainArray());
    Pem.write(key, client.privateKey());
    Pem.write(csr, request);

    assertThat(Pem.readCertificates(chain)).containsExactly(client.certificate(), CA.certificate());
    assertThat(Pem.readPrivateKey(key).getEncoded()).isEqualTo(client.privateKey().getEncoded());
    assertThat(Pem.readCertificateRequest(csr)).isEqualTo(request);
    assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
  }

  @Test
  void aKeyFileIsForItsOwnerAloneAndACertificateForAll() throws Exception {
    CertifiedKey client = CA.issueClient("agent-1", Validity.days(1));
    Pem.write(dir.resolve("a.key"), client.privateKey());
    Pem.write(dir.resolve("a.crt"), client.certificate());

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a.key")))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a.crt")))).isEqualTo("rw-r--r--");
    assertThat(dir.resolve(".a.key.partial")).doesNotExist();
  }

  @Test
  void aFileIsReplacedWhole() throws Exception {
    Path file = dir.resolve("ca.crt");
    Pem.write(file, CA.certificate(), CA.certificate());
    Pem.write(file, CA.certificate());

    assertThat(Pem.readCertificates(file)).hasSize(1);
  }

  @Test
  void aMissingFileIsNamed() {
    Path missing = dir.resolve("missing.crt");

    assertThatThrownBy(() -> Pem.readCertificate(missing)).hasMessage(missing + ": no such file");
  }

  @Test
  void textThatIsNotPemIsNamed() throws Exception {
    Path file = Files.writeString(dir.resolve("notes.txt"), "hello\n");

    assertThatThrownBy(() -> Pem.readAll(file))
        .hasMessage(file + ": malformed PEM: no '-----BEGIN ...-----' block found");
  }

  @Test
  void aBrokenPemBlockIsNamed() throws Exception {
    Path file = Files.writeString(dir.resolve("broken.crt"),
        "-----BEGIN CERTIFICATE-----\nnot*base64!\n-----END CERTIFICATE-----\n");

    assertThatThrownBy(() -> Pem.readAll(file))
        .isInstanceOf(PkiException.class)
        .hasMessageStartingWith(file + ": malformed PEM: ");
  }

  @Test
  void aFileWithoutTheWantedObjectSaysWhatIsMissing() throws Exception {
    Path file = dir.resolve("only.crt");
    Pem.write(file, CA.certificate());

    assertThatThrownBy(() -> Pem.readPrivateKey(file)).hasMessage(file + ": holds no private key");
  }
}

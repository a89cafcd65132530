package io.opampfleet.certs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.opampfleet.certs.CertificateIdentity;
import io.opampfleet.certs.CertificateRequests;
import io.opampfleet.certs.KeyAlgorithm;
import io.opampfleet.certs.Pem;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertsCommandTest {
  @TempDir
  Path dir;

  private Path ca;

  /** What one run of the command printed and returned. */
  record Run(int code, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  @BeforeEach
  void createCa() {
    ca = dir.resolve("ca");
    assertThat(certs("ca", "--out", ca.toString()).code()).isZero();
  }

  @Test
  void caServerAndClientsMakeAWorkingSet() throws Exception {
    Run server = certs("server", "--ca", ca.toString(), "--out", dir.resolve("server").toString(),
        "--dns", "localhost,opamp.local", "--ip", "127.0.0.1");
    Run clients = certs("client", "--ca", ca.toString(), "--out", dir.resolve("agents").toString(), "--count", "3");

    assertThat(server.code()).isZero();
    assertThat(clients.code()).isZero();
    assertThat(clients.out()).contains("issued 3 client certificates").contains("per second");
    X509Certificate caCertificate = Pem.readCertificate(ca.resolve("ca.crt"));
    for (String agent : List.of("agent-00001", "agent-00002", "agent-00003")) {
      List<X509Certificate> chain = Pem.readCertificates(dir.resolve("agents").resolve(agent + ".crt"));
      chain.get(0).verify(caCertificate.getPublicKey());
      assertThat(CertificateIdentity.commonName(chain.get(0))).isEqualTo(agent);
      assertThat(Pem.readPrivateKey(dir.resolve("agents").resolve(agent + ".key"))).isNotNull();
    }
    Pem.readCertificate(dir.resolve("server/server.crt")).verify(caCertificate.getPublicKey());
  }

  @Test
  void inspectShowsSubjectNamesAndUse() {
    certs("server", "--ca", ca.toString(), "--out", dir.toString(), "--dns", "opamp.local");

    Run run = certs("inspect", dir.resolve("server.crt").toString(), dir.resolve("server.key").toString());

    assertThat(run.code()).isZero();
    assertThat(run.out())
        .contains("server.crt: certificate")
        .contains("subject: CN=opamp.local")
        .contains("names:   DNS:opamp.local")
        .contains("use:     TLS server")
        .contains("use:     certificate authority")
        .contains("server.key: private key, EC 256 bits");
  }

  @Test
  void signTurnsARequestIntoAClientCertificate() throws Exception {
    Path csr = dir.resolve("agent.csr");
    Pem.write(csr, CertificateRequests.create(KeyAlgorithm.EC_P256.generate(), "agent-42"));
    Path out = dir.resolve("agent.crt");

    Run run = certs("sign", "--ca", ca.toString(), "--csr", csr.toString(), "--out", out.toString(),
        "--allow-cn", "agent-[0-9]+", "--days", "30");

    assertThat(run.code()).isZero();
    assertThat(CertificateIdentity.commonName(Pem.readCertificate(out))).isEqualTo("agent-42");
  }

  @Test
  void aRequestThatBreaksThePolicyIsOneLineNamingTheFile() {
    Path csr = dir.resolve("admin.csr");
    Pem.write(csr, CertificateRequests.create(KeyAlgorithm.EC_P256.generate(), "admin"));

    Run run = certs("sign", "--ca", ca.toString(), "--csr", csr.toString(), "--out", dir.resolve("x.crt").toString(),
        "--allow-cn", "agent-[0-9]+");

    assertOneLineError(run, "certs sign: " + csr + ": the CSR's subject common name 'admin' is not allowed");
    assertThat(dir.resolve("x.crt")).doesNotExist();
  }

  @Test
  void aMissingFileIsOneLineNamingIt() {
    Path missing = dir.resolve("nothing.csr");

    Run run = certs("sign", "--ca", ca.toString(), "--csr", missing.toString(), "--out", dir.resolve("x.crt").toString());

    assertOneLineError(run, "certs sign: " + missing + ": no such file");
  }

  @Test
  void malformedPemIsOneLineNamingTheFile() throws Exception {
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\n@@@\n-----END CERTIFICATE-----\n");

    Run run = certs("inspect", garbage.toString());

    assertOneLineError(run, "certs inspect: " + garbage + ": malformed PEM");
  }

  @Test
  void aCaKeyThatIsNotTheCertificatesIsOneLineNamingTheKeyFile() {
    Path other = dir.resolve("other");
    certs("ca", "--out", other.toString());
    Path key = ca.resolve("ca.key");
    Pem.write(key, Pem.readPrivateKey(other.resolve("ca.key")));

    Run run = certs("client", "--ca", ca.toString(), "--out", dir.resolve("agents").toString());

    assertOneLineError(run, "certs client: " + key + ": the private key does not belong to the CA certificate");
  }

  @Test
  void aMissingCaDirectorySaysHowToMakeOne() {
    Path nowhere = dir.resolve("nowhere");

    Run run = certs("server", "--ca", nowhere.toString(), "--out", dir.toString());

    assertOneLineError(run, "certs server: " + nowhere + ": no such CA directory; create one with 'certs ca --out");
  }

  @Test
  void aCaIsNotReplacedUnlessForced() {
    Run again = certs("ca", "--out", ca.toString());
    Run forced = certs("ca", "--out", ca.toString(), "--force");

    assertOneLineError(again, "certs ca: " + ca.resolve("ca.key") + ": a CA is already there; pass --force");
    assertThat(forced.code()).isZero();
  }

  @Test
  void badOptionValuesAreNamed() {
    assertOneLineError(certs("ca", "--out", dir.resolve("x").toString(), "--key-type", "dsa"),
        "certs ca: unknown key type 'dsa': use one of ec-p256, rsa-2048, rsa-3072");
    assertOneLineError(certs("client", "--ca", ca.toString(), "--out", dir.toString(), "--count", "2", "--id-format", "agent"),
        "certs client: --id-format 'agent' gives the same identity twice");
    assertOneLineError(certs("server", "--ca", ca.toString(), "--out", dir.toString(), "--ip", "host.local"),
        "certs server: 'host.local' is not an IP address");
  }

  @Test
  void anUnknownOptionIsAUsageError() {
    Run run = certs("client", "--ca", ca.toString(), "--out", dir.toString(), "--bogus");

    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains("Unknown option: '--bogus'").doesNotContain("Exception");
  }

  private static void assertOneLineError(Run run, String start) {
    assertThat(run.code()).isEqualTo(CertsCommand.BAD_INPUT);
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.err()).startsWith(start).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void signPackagePrintsASignatureThatOnlyTheUnchangedFileMatches() throws Exception {
    Path file = Files.write(dir.resolve("otelcol.tar.gz"), new byte[] {1, 2, 3, 4});
    Run signed = certs("sign-package", "--key", ca.resolve("ca.key").toString(), "--file", file.toString());

    assertThat(signed.code()).as(signed.err()).isZero();
    byte[] signature = java.util.Base64.getDecoder().decode(signed.out().strip());
    java.security.PublicKey trusted = io.opampfleet.certs.PackageSignatures.trustedKey(ca.resolve("ca.crt"));
    assertThat(io.opampfleet.certs.PackageSignatures.verify(trusted, file, signature)).isTrue();
    Files.write(file, new byte[] {1, 2, 3, 5});
    assertThat(io.opampfleet.certs.PackageSignatures.verify(trusted, file, signature)).isFalse();
    assertThat(io.opampfleet.certs.PackageSignatures.verify(trusted, file, new byte[] {0})).isFalse();
    assertThat(certs("sign-package", "--key", dir.resolve("none.key").toString(), "--file", file.toString()).err())
        .contains("none.key: no such file");
  }

  private static Run certs(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = CertsCommand.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }
}

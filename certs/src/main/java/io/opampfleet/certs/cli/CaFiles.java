package io.opampfleet.certs.cli;

import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.PkiException;
import io.opampfleet.certs.Pem;
import java.nio.file.Files;
import java.nio.file.Path;

/** A CA kept as two PEM files in a directory: {@code ca.crt} and {@code ca.key}. */
final class CaFiles {
  static final String CERTIFICATE = "ca.crt";
  static final String KEY = "ca.key";

  private CaFiles() {}

  static CertificateAuthority read(Path directory) {
    if (!Files.isDirectory(directory)) {
      throw new PkiException(directory + ": no such CA directory; create one with 'certs ca --out " + directory + "'");
    }
    Path certificate = directory.resolve(CERTIFICATE);
    Path key = directory.resolve(KEY);
    try {
      return CertificateAuthority.of(Pem.readCertificate(certificate), Pem.readPrivateKey(key));
    } catch (PkiException e) {
      if (e.getMessage().startsWith(directory.toString())) {
        throw e;
      }
      throw new PkiException(key + ": " + e.getMessage(), e);
    }
  }

  static void write(Path directory, CertificateAuthority ca) {
    Pem.write(directory.resolve(KEY), ca.certifiedKey().privateKey());
    Pem.write(directory.resolve(CERTIFICATE), ca.certificate());
  }
}

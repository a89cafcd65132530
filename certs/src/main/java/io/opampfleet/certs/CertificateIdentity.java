package io.opampfleet.certs;

import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/** The identity a certificate carries: the common name of its subject. */
public final class CertificateIdentity {
  private CertificateIdentity() {}

  /**
   * @throws PkiException when the subject has no common name
   */
  public static String commonName(X509Certificate certificate) {
    String subject = certificate.getSubjectX500Principal().getName();
    return commonName(subject).orElseThrow(() ->
        new PkiException("the certificate's subject '" + subject + "' has no common name (CN)"));
  }

  /**
   * The common name in a subject written as an RFC 2253 name ({@code CN=agent-1,O=Fleet}), if any.
   *
   * @throws PkiException when the text is not such a name
   */
  public static Optional<String> commonName(String subject) {
    try {
      for (Rdn rdn : new LdapName(subject).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return Optional.of(rdn.getValue().toString());
        }
      }
      return Optional.empty();
    } catch (InvalidNameException e) {
      throw new PkiException("the certificate's subject '" + subject + "' cannot be read: " + e.getMessage(), e);
    }
  }
}

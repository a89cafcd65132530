package io.opampfleet.certs;

import java.security.cert.X509Certificate;
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
    try {
      for (Rdn rdn : new LdapName(subject).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return rdn.getValue().toString();
        }
      }
    } catch (InvalidNameException e) {
      throw new PkiException("the certificate's subject '" + subject + "' cannot be read: " + e.getMessage(), e);
    }
    throw new PkiException("the certificate's subject '" + subject + "' has no common name (CN)");
  }
}

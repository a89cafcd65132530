package io.opampfleet.certs;

import java.security.KeyPair;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Certificate signing requests (PKCS#10), as an agent makes them to rotate its certificate. */
public final class CertificateRequests {
  private CertificateRequests() {}

  /** A request for a certificate whose subject common name is the given identity. */
  public static PKCS10CertificationRequest create(KeyPair keys, String commonName) {
    return new JcaPKCS10CertificationRequestBuilder(
            new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build(), keys.getPublic())
        .build(KeyAlgorithm.of(keys.getPublic()).contentSigner(keys.getPrivate()));
  }

  /**
   * The one common name a request's subject names.
   *
   * @throws PkiException when it names none or several
   */
  public static String commonName(PKCS10CertificationRequest request) {
    RDN[] names = request.getSubject().getRDNs(BCStyle.CN);
    if (names.length != 1) {
      throw new PkiException("the CSR's subject must have exactly one common name (CN), it has " + names.length);
    }
    return IETFUtils.valueToString(names[0].getFirst().getValue());
  }
}

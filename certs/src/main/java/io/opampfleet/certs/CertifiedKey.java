package io.opampfleet.certs;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * A private key with its certificate and the certificates of the issuers above it, leaf first:
 * what a TLS endpoint presents.
 */
public record CertifiedKey(PrivateKey privateKey, X509Certificate certificate, List<X509Certificate> issuers) {
  public CertifiedKey {
    issuers = List.copyOf(issuers);
  }

  /** The certificate followed by its issuers, as a TLS endpoint sends them. */
  public List<X509Certificate> chain() {
    List<X509Certificate> chain = new ArrayList<>(issuers.size() + 1);
    chain.add(certificate);
    chain.addAll(issuers);
    return chain;
  }

  public X509Certificate[] chainArray() {
    return chain().toArray(new X509Certificate[0]);
  }
}

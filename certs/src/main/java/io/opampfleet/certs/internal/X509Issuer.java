package io.opampfleet.certs.internal;

import io.opampfleet.certs.KeyAlgorithm;
import io.opampfleet.certs.PkiException;
import io.opampfleet.certs.Validity;
import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;

/** Signs X.509 certificates for one issuer key: the mechanics under {@code CertificateAuthority}. */
public final class X509Issuer {
  /** What a certificate is for, which decides its extensions. */
  public enum Profile { CA, SERVER, CLIENT }

  private static final SecureRandom SERIALS = new SecureRandom();

  private final X500Name name;
  private final PrivateKey key;
  private final PublicKey publicKey;
  private final KeyAlgorithm algorithm;

  public X509Issuer(X500Name name, PrivateKey key, PublicKey publicKey) {
    this.name = name;
    this.key = key;
    this.publicKey = publicKey;
    this.algorithm = KeyAlgorithm.of(publicKey);
  }

  /** Issues a certificate; {@code alternativeNames} may be null. Safe to call from many threads. */
  public X509Certificate issue(X500Name subject, PublicKey subjectKey, Validity validity, Profile profile,
      GeneralNames alternativeNames) {
    try {
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
          Date.from(validity.notBefore()), Date.from(validity.notAfter()), subject, subjectKey);
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(subjectKey));
      if (profile == Profile.CA) {
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else {
        builder.addExtension(Extension.authorityKeyIdentifier, false,
            extensions.createAuthorityKeyIdentifier(publicKey));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, endEntityKeyUsage(subjectKey));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
            profile == Profile.SERVER ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
      }
      if (alternativeNames != null) {
        builder.addExtension(Extension.subjectAlternativeName, false, alternativeNames);
      }
      return new JcaX509CertificateConverter().getCertificate(builder.build(algorithm.contentSigner(key)));
    } catch (CertIOException | CertificateException | java.security.NoSuchAlgorithmException e) {
      throw new PkiException("could not issue a certificate for " + subject + ": " + e.getMessage(), e);
    }
  }

  private static KeyUsage endEntityKeyUsage(PublicKey subjectKey) {
    // RSA key exchange (TLS 1.2) encrypts with the certificate's key; ECDSA keys only sign.
    return KeyAlgorithm.of(subjectKey) == KeyAlgorithm.EC_P256
        ? new KeyUsage(KeyUsage.digitalSignature)
        : new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment);
  }

  private static BigInteger serial() {
    // 127 random bits: positive, unique in practice, and within the 20 octets RFC 5280 allows.
    return new BigInteger(127, SERIALS).setBit(0);
  }
}

package io.opampfleet.certs;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.EllipticCurve;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;

/**
 * A server's check of client certificates that its CA signed directly: the CA's ECDSA P-256
 * signature is verified with Bouncy Castle, whose arithmetic on the CA's point (precomputed once and
 * kept) is several times faster than the JDK's; on JDK 17 the JDK's check of each client's chain was a
 * third of a server's CPU per new mutual-TLS connection. Only what that check is sure of is accepted
 * here: one certificate (or it and the CA) from the CA's name, within its dates, with no critical
 * extension but the usual four, usable for client authentication. Anything else, every refusal
 * included, goes to the JDK's trust manager, which decides and words the reason.
 */
public final class CaSignedClientTrust extends DelegatingTrust {
  private static final String SHA256_WITH_ECDSA = "1.2.840.10045.4.3.2";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";
  /** Key usage, subject alternative name, basic constraints, extended key usage. */
  private static final Set<String> UNDERSTOOD_CRITICAL = Set.of("2.5.29.15", "2.5.29.17", "2.5.29.19", "2.5.29.37");
  /** P-256 on Bouncy Castle's curve written for it (not the generic one): the speed is the point. */
  private static final X9ECParameters P256 = CustomNamedCurves.getByName("secp256r1");

  private final X509Certificate ca;
  private final ECPublicKeyParameters caKey;

  private CaSignedClientTrust(X509Certificate ca, X509ExtendedTrustManager jdk, ECPublicKeyParameters caKey) {
    super(jdk);
    this.ca = ca;
    this.caKey = caKey;
  }

  /** Clients certified by {@code ca}; the fast check only where the CA's key is EC P-256. */
  public static CaSignedClientTrust of(X509Certificate ca) {
    return new CaSignedClientTrust(ca, jdkTrust(ca), p256Point(ca.getPublicKey()));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    if (!signedByCa(chain)) {
      jdk.checkClientTrusted(chain, authType, engine);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    if (!signedByCa(chain)) {
      jdk.checkClientTrusted(chain, authType);
    }
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[] {ca};
  }

  /** Whether the fast check accepts the chain; false means the JDK decides. */
  boolean signedByCa(X509Certificate[] chain) {
    if (caKey == null || chain == null || chain.length == 0 || chain.length > 2
        || chain.length == 2 && !chain[1].equals(ca)) {
      return false;
    }
    X509Certificate leaf = chain[0];
    try {
      leaf.checkValidity();
      return SHA256_WITH_ECDSA.equals(leaf.getSigAlgOID())
          && leaf.getIssuerX500Principal().equals(ca.getSubjectX500Principal())
          && onlyUnderstoodCritical(leaf)
          && forClients(leaf)
          && strongKey(leaf.getPublicKey())
          && caSignature(leaf);
    } catch (GeneralSecurityException | IOException | RuntimeException e) {
      return false;
    }
  }

  private static boolean onlyUnderstoodCritical(X509Certificate leaf) {
    Set<String> critical = leaf.getCriticalExtensionOIDs();
    return critical == null || UNDERSTOOD_CRITICAL.containsAll(critical);
  }

  /** Key usage, where given, allows signatures; extended key usage, where given, allows client authentication. */
  private static boolean forClients(X509Certificate leaf) throws CertificateException {
    boolean[] keyUsage = leaf.getKeyUsage();
    List<String> extended = leaf.getExtendedKeyUsage();
    return (keyUsage == null || keyUsage[0])
        && (extended == null || extended.contains(CLIENT_AUTH) || extended.contains(ANY_EXTENDED_KEY_USAGE));
  }

  /** The keys the JDK's default constraints allow without a second look: EC of 256 bits or more, RSA of 2048. */
  private static boolean strongKey(PublicKey key) {
    return key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() >= 256
        || key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() >= 2048;
  }

  private boolean caSignature(X509Certificate leaf) throws GeneralSecurityException, IOException {
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(leaf.getTBSCertificate());
    BigInteger[] rs = StandardDSAEncoding.INSTANCE.decode(P256.getN(), leaf.getSignature());
    ECDSASigner signer = new ECDSASigner();
    signer.init(false, caKey);
    return signer.verifySignature(digest, rs[0], rs[1]);
  }

  private static ECPublicKeyParameters p256Point(PublicKey key) {
    if (!(key instanceof ECPublicKey ec) || !isP256(ec.getParams().getCurve())
        || !ec.getParams().getOrder().equals(P256.getN())) {
      return null;
    }
    var point = P256.getCurve().createPoint(ec.getW().getAffineX(), ec.getW().getAffineY());
    return point.isValid() ? new ECPublicKeyParameters(point, new ECDomainParameters(P256)) : null;
  }

  private static boolean isP256(EllipticCurve curve) {
    return curve.getField() instanceof ECFieldFp field
        && field.getP().equals(P256.getCurve().getField().getCharacteristic())
        && curve.getA().equals(P256.getCurve().getA().toBigInteger())
        && curve.getB().equals(P256.getCurve().getB().toBigInteger());
  }

  /** The JDK's PKIX trust manager with {@code ca} as its one anchor, as Netty builds one from a CA file. */
  static X509ExtendedTrustManager jdkTrust(X509Certificate ca) {
    try {
      KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
      anchors.load(null, null);
      anchors.setCertificateEntry("ca", ca);
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(anchors);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager extended) {
          return extended;
        }
      }
      throw new PkiException("the JDK has no X.509 trust manager");
    } catch (GeneralSecurityException | IOException e) {
      throw new PkiException("could not trust the client CA: " + e.getMessage(), e);
    }
  }
}

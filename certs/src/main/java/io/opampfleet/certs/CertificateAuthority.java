package io.opampfleet.certs;

import io.opampfleet.certs.internal.X509Issuer;
import io.opampfleet.certs.internal.X509Issuer.Profile;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * A certificate authority for OpAMP Fleet's mutual TLS: it issues server certificates, client
 * certificates whose subject names the agent, and signs agents' certificate requests under a
 * policy. Issuing is safe from many threads.
 */
public final class CertificateAuthority {
  private final CertifiedKey ca;
  private final X509Issuer issuer;

  private CertificateAuthority(CertifiedKey ca) {
    this.ca = ca;
    this.issuer = new X509Issuer(subjectOf(ca.certificate()), ca.privateKey(), ca.certificate().getPublicKey());
  }

  /** Creates a new self-signed root. */
  public static CertificateAuthority create(String commonName, KeyAlgorithm algorithm, Validity validity) {
    KeyPair keys = algorithm.generate();
    X500Name name = name(commonName, "OpAMP Fleet");
    X509Certificate certificate = new X509Issuer(name, keys.getPrivate(), keys.getPublic())
        .issue(name, keys.getPublic(), validity, Profile.CA, null);
    return new CertificateAuthority(new CertifiedKey(keys.getPrivate(), certificate, List.of()));
  }

  /**
   * An existing CA from its certificate and key.
   *
   * @throws PkiException when the certificate is not a CA's or the key is not the certificate's
   */
  public static CertificateAuthority of(X509Certificate certificate, PrivateKey key) {
    if (certificate.getBasicConstraints() < 0) {
      throw new PkiException("the certificate of " + certificate.getSubjectX500Principal().getName()
          + " is not a CA certificate (no basicConstraints CA:true)");
    }
    if (!keyMatches(certificate.getPublicKey(), key)) {
      throw new PkiException("the private key does not belong to the CA certificate of "
          + certificate.getSubjectX500Principal().getName());
    }
    return new CertificateAuthority(new CertifiedKey(key, certificate, List.of()));
  }

  public X509Certificate certificate() {
    return ca.certificate();
  }

  public CertifiedKey certifiedKey() {
    return ca;
  }

  public KeyAlgorithm keyAlgorithm() {
    return KeyAlgorithm.of(ca.certificate().getPublicKey());
  }

  public CertifiedKey issueServer(ServerNames names, Validity validity) {
    return issueServer(names, keyAlgorithm(), validity);
  }

  public CertifiedKey issueServer(ServerNames names, KeyAlgorithm algorithm, Validity validity) {
    KeyPair keys = algorithm.generate();
    X509Certificate certificate = issuer.issue(name(names.commonName(), "OpAMP Fleet"), keys.getPublic(),
        validity, Profile.SERVER, names.asGeneralNames());
    return new CertifiedKey(keys.getPrivate(), certificate, List.of(ca.certificate()));
  }

  /** A client certificate whose subject common name is the agent's identity. */
  public CertifiedKey issueClient(String identity, Validity validity) {
    return issueClient(identity, keyAlgorithm(), validity);
  }

  public CertifiedKey issueClient(String identity, KeyAlgorithm algorithm, Validity validity) {
    KeyPair keys = algorithm.generate();
    X509Certificate certificate = issuer.issue(clientName(identity), keys.getPublic(), validity, Profile.CLIENT, null);
    return new CertifiedKey(keys.getPrivate(), certificate, List.of(ca.certificate()));
  }

  /**
   * Issues one client certificate per identity on every core. The sink is called from several
   * threads at once, in no particular order.
   */
  public void issueClients(List<String> identities, Validity validity, Consumer<CertifiedKey> sink) {
    identities.parallelStream().forEach(identity -> sink.accept(issueClient(identity, validity)));
  }

  public List<CertifiedKey> issueClients(List<String> identities, Validity validity) {
    ConcurrentLinkedQueue<CertifiedKey> issued = new ConcurrentLinkedQueue<>();
    issueClients(identities, validity, issued::add);
    return List.copyOf(issued);
  }

  /**
   * Signs a certificate request under the policy: a client certificate for the key the request
   * carries, with the request's common name, valid for the policy's length of time.
   *
   * @throws PkiException when the request breaks the policy
   */
  public X509Certificate signClientRequest(PKCS10CertificationRequest request, CsrPolicy policy) {
    String commonName = policy.check(request);
    PublicKey key;
    try {
      key = new JcaPKCS10CertificationRequest(request).getPublicKey();
    } catch (GeneralSecurityException e) {
      throw new PkiException("the CSR's public key cannot be read: " + e.getMessage(), e);
    }
    Instant now = Instant.now();
    Validity validity = new Validity(now.minus(Validity.CLOCK_SKEW), now.plus(policy.validity()));
    return issuer.issue(clientName(commonName), key, validity, Profile.CLIENT, null);
  }

  /** How long until the CA itself expires. */
  public Duration remainingValidity() {
    return Duration.between(Instant.now(), ca.certificate().getNotAfter().toInstant());
  }

  private static X500Name clientName(String identity) {
    if (identity == null || identity.isBlank()) {
      throw new PkiException("a client certificate needs the agent's identity as its common name");
    }
    return name(identity, "OpAMP Fleet agents");
  }

  private static X500Name name(String commonName, String organization) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, organization)
        .addRDN(BCStyle.CN, commonName)
        .build();
  }

  private static X500Name subjectOf(X509Certificate certificate) {
    try {
      return new JcaX509CertificateHolder(certificate).getSubject();
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new PkiException("the CA certificate cannot be read: " + e.getMessage(), e);
    }
  }

  /** Whether the private key signs what the public key verifies. */
  static boolean keyMatches(PublicKey publicKey, PrivateKey privateKey) {
    if (!publicKey.getAlgorithm().equals(privateKey.getAlgorithm())
        && !(publicKey.getAlgorithm().startsWith("EC") && privateKey.getAlgorithm().startsWith("EC"))) {
      return false;
    }
    try {
      KeyAlgorithm algorithm = KeyAlgorithm.of(publicKey);
      byte[] probe = "opamp-fleet key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature signer = algorithm.signature();
      signer.initSign(privateKey);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = algorithm.signature();
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | PkiException e) {
      return false;
    }
  }
}

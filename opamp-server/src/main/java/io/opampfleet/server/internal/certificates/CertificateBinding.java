package io.opampfleet.server.internal.certificates;

import io.opampfleet.certs.CertificateIdentity;
import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Ties an instance uid to the certificate it first connected with, so another certificate cannot
 * speak for it. A certificate the server signed for the agent (rotation) takes over the binding
 * the first time the agent connects with it; from then on the old one is refused.
 */
public final class CertificateBinding {
  /** A client certificate's identity: its subject and the SHA-256 of its encoding. */
  public record Identity(String subject, String sha256) {
    /** The subject's common name, if it has one. */
    public Optional<String> commonName() {
      return CertificateIdentity.commonName(subject);
    }
  }

  private final boolean requireUidInSubject;

  public CertificateBinding(boolean requireUidInSubject) {
    this.requireUidInSubject = requireUidInSubject;
  }

  /**
   * The certificate's identity, read from a copy of its encoding: a certificate a TLS session hands
   * over keeps what is read of it (about 4.5 KB parsed) for as long as the connection lasts. Callers that
   * ask at every message keep the identity for the connection.
   */
  public static Identity identity(X509Certificate certificate) {
    try {
      byte[] encoded = certificate.getEncoded();
      X509Certificate copy = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(encoded));
      return new Identity(copy.getSubjectX500Principal().getName(),
          HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(encoded)));
    } catch (CertificateException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot fingerprint a client certificate: " + e.getMessage(), e);
    }
  }

  /** Whether a client certificate must name its agent's uid: then the uid cannot change (no new one is handed out). */
  public boolean uidInSubject() {
    return requireUidInSubject;
  }

  /**
   * Why this certificate may not speak for the uid, or empty when it may; {@code bound} is the
   * fingerprint the agent is tied to (empty when none yet), {@code pending} one the server issued.
   */
  public Optional<String> refusal(String uid, Identity presented, String bound, String pending) {
    if (!namesItsUid(uid, presented)) {
      return Optional.of("its certificate's common name (" + presented.subject() + ") is not its instance uid");
    }
    if (bound.isEmpty() || bound.equals(presented.sha256()) || presented.sha256().equals(pending)) {
      return Optional.empty();
    }
    return Optional.of("it connected with certificate sha256:" + presented.sha256().substring(0, 16)
        + "… (" + presented.subject() + ") but is bound to sha256:" + bound.substring(0, Math.min(16, bound.length()))
        + "…");
  }

  /** What a refused agent is told: why, without the fingerprint another's certificate is bound to. */
  public String refusalForTheAgent(String uid, Identity presented) {
    return namesItsUid(uid, presented) ? "this instance uid is bound to another client certificate"
        : "the client certificate's common name is not the instance uid";
  }

  private boolean namesItsUid(String uid, Identity presented) {
    return !requireUidInSubject || presented.commonName().map(uid::equals).orElse(false);
  }
}

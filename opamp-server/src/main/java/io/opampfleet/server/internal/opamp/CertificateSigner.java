package io.opampfleet.server.internal.opamp;

import com.google.protobuf.ByteString;
import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.CertificateIdentity;
import io.opampfleet.certs.CertificateRequests;
import io.opampfleet.certs.CertifiedKey;
import io.opampfleet.certs.CsrPolicy;
import io.opampfleet.certs.KeyAlgorithm;
import io.opampfleet.certs.Pem;
import io.opampfleet.certs.PkiException;
import io.opampfleet.certs.Validity;
import io.opampfleet.proto.ConnectionSettingsOffers;
import io.opampfleet.proto.OpAMPConnectionSettings;
import io.opampfleet.proto.TLSCertificate;
import io.opampfleet.server.internal.certificates.CertificateBinding;
import io.opampfleet.server.internal.configs.ConfigVersion;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Issues agents their client certificates as offers of new OpAMP connection settings: signs an
 * agent's certificate request (the spec's CSR flow, the agent keeps its key), or makes a new key
 * and certificate for it (a rotation the operator starts). A request may only name the agent's
 * instance uid, or the common name of the certificate it connects with now.
 */
public final class CertificateSigner {
  /** An offer and the fingerprint of the certificate in it, which the agent will connect with. */
  public record Issued(ConnectionSettingsOffers offer, String sha256) {}

  private final CertificateAuthority ca;
  private final Duration validity;
  private final Supplier<String> endpoint;

  /** {@code endpoint} is the OpAMP URL offered, read when an offer is made. */
  public CertificateSigner(CertificateAuthority ca, Duration validity, Supplier<String> endpoint) {
    this.ca = ca;
    this.validity = validity;
    this.endpoint = endpoint;
  }

  /** @throws PkiException saying why the request is refused */
  public Issued sign(String uid, String currentSubject, byte[] csrPem) {
    PKCS10CertificationRequest request = Pem.parseCertificateRequest("the certificate request",
        new String(csrPem, StandardCharsets.US_ASCII));
    java.util.Optional<String> current = CertificateIdentity.commonName(currentSubject);
    String requested = CertificateRequests.commonName(request);
    if (!requested.equals(uid) && !current.map(requested::equals).orElse(false)) {
      throw new PkiException("it names '" + requested + "'; a request may only name the agent's instance uid (" + uid
          + ")" + current.map(cn -> " or its current certificate's common name (" + cn + ")").orElse(""));
    }
    X509Certificate certificate = ca.signClientRequest(request,
        new CsrPolicy(Pattern.compile(Pattern.quote(requested)), validity));
    return offer(TLSCertificate.newBuilder().setCert(pem(certificate)), certificate);
  }

  /** A new key and certificate for the agent, named by its uid, sent with the offer. */
  public Issued issue(String uid) {
    CertifiedKey key = ca.issueClient(uid, KeyAlgorithm.EC_P256, Validity.of(validity));
    return offer(TLSCertificate.newBuilder().setCert(pem(key.certificate()))
        .setPrivateKey(ByteString.copyFrom(Pem.encode(key.privateKey()), StandardCharsets.US_ASCII)),
        key.certificate());
  }

  private Issued offer(TLSCertificate.Builder certificate, X509Certificate issued) {
    OpAMPConnectionSettings settings = OpAMPConnectionSettings.newBuilder()
        .setDestinationEndpoint(endpoint.get())
        .setCertificate(certificate.setCaCert(pem(ca.certificate())))
        .setHeartbeatIntervalSeconds(30)
        .build();
    String sha256 = CertificateBinding.identity(issued).sha256();
    ConnectionSettingsOffers offer = ConnectionSettingsOffers.newBuilder()
        .setHash(ByteString.copyFrom(HexFormat.of().parseHex(ConfigVersion.sha256(settings.toByteArray()))))
        .setOpamp(settings)
        .build();
    return new Issued(offer, sha256);
  }

  private static ByteString pem(X509Certificate certificate) {
    return ByteString.copyFrom(Pem.encode(certificate), StandardCharsets.US_ASCII);
  }
}

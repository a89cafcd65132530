package io.opampfleet.supervisor.upstream;

import com.google.protobuf.ByteString;
import io.opampfleet.certs.CertificateRequests;
import io.opampfleet.certs.KeyAlgorithm;
import io.opampfleet.certs.Pem;
import io.opampfleet.proto.CertificateRequest;
import io.opampfleet.proto.ConnectionSettingsRequest;
import io.opampfleet.proto.OpAMPConnectionSettingsRequest;
import io.opampfleet.supervisor.config.SupervisorConfig.Tls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Asks the server for a new client certificate (the spec's CSR flow) when the current one ends
 * within {@code server::tls::rotate_before}: a new key made here, a request naming the instance
 * uid, the key kept until the server's offer comes back. Once per certificate, so a window longer
 * than the certificates the server issues does not loop.
 */
public final class CertificateRotation {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CertificateRotation.class);

  private final Duration before;
  private String requestedFor = "";
  private String obtained = "";
  private volatile String requestKeyPem;

  public CertificateRotation(Duration before) {
    this.before = before;
  }

  /** The request to send now, if the certificate in use ends within the window. */
  public synchronized Optional<ConnectionSettingsRequest> due(Tls tls, String instanceUid, Instant now) {
    Optional<X509Certificate> current = certificate(tls);
    if (current.isEmpty() || current.get().getNotAfter().toInstant().isAfter(now.plus(before))) {
      return Optional.empty();
    }
    String id = current.get().getSerialNumber().toString(16);
    if (id.equals(requestedFor)) {
      return Optional.empty();
    }
    if (id.equals(obtained)) {
      log.warn("the certificate the server just issued ends within rotate_before ({}) too; not asking again: "
          + "set rotate_before below the validity of the certificates the server issues", before);
      requestedFor = id;
      return Optional.empty();
    }
    requestedFor = id;
    KeyPair keys = KeyAlgorithm.EC_P256.generate();
    requestKeyPem = Pem.encode(keys.getPrivate());
    String csr = Pem.encode(CertificateRequests.create(keys, instanceUid));
    return Optional.of(ConnectionSettingsRequest.newBuilder().setOpamp(OpAMPConnectionSettingsRequest.newBuilder()
        .setCertificateRequest(CertificateRequest.newBuilder()
            .setCsr(ByteString.copyFrom(csr, StandardCharsets.US_ASCII)))).build());
  }

  /** How long until the certificate in use ends within the window; empty when it already does, or there is none. */
  public Optional<Duration> windowOpensIn(Tls tls, Instant now) {
    return certificate(tls).map(current -> Duration.between(now, current.getNotAfter().toInstant().minus(before)))
        .filter(wait -> !wait.isNegative() && !wait.isZero());
  }

  /** The certificate just taken from an offer: it does not start another request at once. */
  public synchronized void obtained(Tls tls) {
    certificate(tls).ifPresent(certificate -> obtained = certificate.getSerialNumber().toString(16));
  }

  /** The key of the last request, for the certificate the server signs from it. */
  public Optional<String> requestKeyPem() {
    return Optional.ofNullable(requestKeyPem);
  }

  private static Optional<X509Certificate> certificate(Tls tls) {
    if (!tls.certFile().isEmpty()) {
      return Optional.of(Pem.readCertificate(Path.of(tls.certFile())));
    }
    if (!tls.certPem().isEmpty()) {
      return Pem.parseAll("server::tls::cert_pem", tls.certPem()).stream()
          .filter(X509Certificate.class::isInstance).map(X509Certificate.class::cast).findFirst();
    }
    return Optional.empty();
  }
}

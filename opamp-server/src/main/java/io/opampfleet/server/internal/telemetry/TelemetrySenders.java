package io.opampfleet.server.internal.telemetry;

import io.opampfleet.netty.server.HttpEndpoint;
import io.opampfleet.server.internal.certificates.CertificateBinding;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.Inventory;
import java.util.Optional;

/**
 * Which agent sent a request of own telemetry: the one its client certificate is bound to, or the
 * one its credential (from the offer) names; with both, they must name the same agent. Anything
 * else is refused, so one agent cannot write another's figures.
 */
public final class TelemetrySenders {
  private static final String BEARER = "Bearer ";

  private final Inventory inventory;
  private final OwnTelemetryCredentials credentials;

  /** The agent that sent a request, or the status and reason it is refused with. */
  public record Sender(String uid, int status, String refusal) {
    static Sender agent(String uid) {
      return new Sender(uid, 200, "");
    }

    static Sender refused(int status, String refusal) {
      return new Sender("", status, refusal);
    }

    public boolean known() {
      return status == 200;
    }
  }

  public TelemetrySenders(Inventory inventory, OwnTelemetryCredentials credentials) {
    this.inventory = inventory;
    this.credentials = credentials;
  }

  public Sender of(HttpEndpoint.Request request) {
    Optional<Sender> refused = unidentified(request);
    if (refused.isPresent()) {
      return refused.get();
    }
    Optional<String> credited = Optional.ofNullable(request.headers().get("Authorization")).flatMap(this::credited);
    if (request.peerCertificates().isEmpty()) {
      return known(credited.orElseThrow(), Optional.empty());
    }
    CertificateBinding.Identity identity = CertificateBinding.identity(request.peerCertificates().get(0));
    String uid = credited.or(identity::commonName).orElse("");
    return known(uid, Optional.of(identity));
  }

  /**
   * The refusal of a request that names no agent at all (a credential this server did not make, or
   * neither a credential nor a client certificate), decided without the store; empty otherwise.
   */
  public Optional<Sender> unidentified(HttpEndpoint.Request request) {
    String authorization = request.headers().get("Authorization");
    if (authorization != null && credited(authorization).isEmpty()) {
      return Optional.of(Sender.refused(401, "the Authorization header is not an own-telemetry credential this server offered"));
    }
    if (authorization == null && request.peerCertificates().isEmpty()) {
      return Optional.of(Sender.refused(401, "send own telemetry with the credential the server offered"
          + " (Authorization: Bearer ...) or a client certificate"));
    }
    return Optional.empty();
  }

  private Optional<String> credited(String authorization) {
    return authorization.startsWith(BEARER) ? credentials.uidOf(authorization.substring(BEARER.length()).trim())
        : Optional.empty();
  }

  private Sender known(String uid, Optional<CertificateBinding.Identity> certificate) {
    Optional<Agent> agent = uid.isEmpty() || uid.length() > 64 ? Optional.empty() : inventory.findOrLoad(uid);
    if (agent.isEmpty()) {
      return Sender.refused(403, "this credential or client certificate names no agent of the fleet");
    }
    if (certificate.isEmpty() && !agent.get().certificateSha256().isEmpty()) {
      // An agent that connects with a certificate sends its figures with it: its credential alone is not enough.
      return Sender.refused(403, "this agent is bound to a client certificate; send its own telemetry with it");
    }
    if (certificate.isPresent()) {
      String sha256 = certificate.get().sha256();
      if (!sha256.equals(agent.get().certificateSha256()) && !sha256.equals(agent.get().pendingCertificateSha256())) {
        return Sender.refused(403, "this client certificate is not the one its agent connects with");
      }
    }
    return Sender.agent(uid);
  }
}

package io.opampfleet.server.internal.telemetry;

import com.google.protobuf.ByteString;
import io.opampfleet.proto.AgentCapabilities;
import io.opampfleet.proto.ConnectionSettingsOffers;
import io.opampfleet.proto.Header;
import io.opampfleet.proto.Headers;
import io.opampfleet.proto.TelemetryConnectionSettings;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.settings.ServerSettings.OwnTelemetry;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Supplier;

/**
 * Where agents that report their own metrics are told to send them: this server's receiver with the
 * agent's credential, or the operator's endpoint with its headers. Offered once per connection.
 */
public final class OwnTelemetryOffers {
  private final OwnTelemetry settings;
  private final Supplier<String> receiverUrl;
  private final OwnTelemetryCredentials credentials;
  /**
   * The agents offered settings on their connection, held weakly: an agent the inventory forgets (one
   * that went away, or took another uid) leaves with it, however many uids strangers bring.
   */
  private final Set<Agent> offered = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  /** {@code receiverUrl} is this server's OTLP metrics URL as agents reach it. */
  public OwnTelemetryOffers(OwnTelemetry settings, Supplier<String> receiverUrl, OwnTelemetryCredentials credentials) {
    this.settings = settings;
    this.receiverUrl = receiverUrl;
    this.credentials = credentials;
  }

  /** Whether any agent is offered anything. */
  public boolean enabled() {
    return settings.offered();
  }

  /**
   * The offer for the agent, when it reports its own metrics (or logs or traces the operator's
   * endpoints take) and was not offered them on this connection.
   */
  public Optional<ConnectionSettingsOffers> due(Agent agent) {
    if (!settings.offered()) {
      return Optional.empty();
    }
    ConnectionSettingsOffers.Builder offer = ConnectionSettingsOffers.newBuilder();
    if (agent.can(AgentCapabilities.AgentCapabilities_ReportsOwnMetrics_VALUE)) {
      offer.setOwnMetrics(settings.toServer()
          ? settings(receiverUrl.get(), Map.of("Authorization", "Bearer " + credentials.credential(agent.uid())))
          : settings(settings.external().orElseThrow().endpoint().toString(), settings.external().get().headers()));
    }
    settings.external().ifPresent(external -> {
      if (agent.can(AgentCapabilities.AgentCapabilities_ReportsOwnLogs_VALUE)) {
        external.logsEndpoint().ifPresent(url -> offer.setOwnLogs(settings(url.toString(), external.headers())));
      }
      if (agent.can(AgentCapabilities.AgentCapabilities_ReportsOwnTraces_VALUE)) {
        external.tracesEndpoint().ifPresent(url -> offer.setOwnTraces(settings(url.toString(), external.headers())));
      }
    });
    boolean nothing = !offer.hasOwnMetrics() && !offer.hasOwnLogs() && !offer.hasOwnTraces();
    if (nothing || !offered.add(agent)) {
      return Optional.empty();
    }
    return Optional.of(offer.setHash(ByteString.copyFrom(sha256(offer.build().toByteArray()))).build());
  }

  /** A new connection of the agent: what was offered on an old one may not have arrived. */
  public void connected(Agent agent) {
    offered.remove(agent);
  }

  /** How many agents are marked offered now. */
  int held() {
    return offered.size();
  }

  private static TelemetryConnectionSettings settings(String endpoint, Map<String, String> headers) {
    Headers.Builder list = Headers.newBuilder();
    headers.forEach((key, value) -> list.addHeaders(Header.newBuilder().setKey(key).setValue(value)));
    return TelemetryConnectionSettings.newBuilder().setDestinationEndpoint(endpoint).setHeaders(list).build();
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

package io.opampfleet.server.internal.inventory;

import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.proto.PackageStatuses;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.server.internal.configs.ConfigVersion;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * One agent's state at a moment; nullable parts the agent has not reported. Times are epoch ms;
 * {@code heldBy} names the server holding its connection, or the last that did ("" when none);
 * {@code revision} counts the changes of what it reports besides the time of its last message; {@code pollMillis} is the
 * longest gap between polls of an agent on HTTP (0: unknown, or not polling).
 */
public record AgentSnapshot(
    String uid,
    AgentDescription description,
    Map<String, String> labels,
    long capabilities,
    ComponentHealth health,
    EffectiveConfig effectiveConfig,
    RemoteConfigStatus remoteConfigStatus,
    PackageStatuses packageStatuses,
    AvailableComponents availableComponents,
    boolean connected,
    String heldBy,
    long revision,
    long connectedSince,
    long lastSeen,
    String remoteAddress,
    String certificateSubject,
    String certificateSha256,
    String pendingCertificateSha256,
    ConfigVersion desired,
    boolean desiresLocal,
    boolean desiredInFlight,
    long pollMillis) {

  /**
   * Why the agent does not run the config the server wants it to: it refused it, or, once it has
   * spoken after the config was sent, it runs another (it went back to an earlier one, or its config
   * was changed on its host). Empty when it runs it, or has not had its chance yet.
   */
  public Optional<String> drift() {
    if (desired == null || remoteConfigStatus == null) {
      return Optional.empty();
    }
    String reported = HexFormat.of().formatHex(remoteConfigStatus.getLastRemoteConfigHash().toByteArray());
    if (reported.equals(desired.sha256())) {
      return remoteConfigStatus.getStatus() == RemoteConfigStatuses.RemoteConfigStatuses_FAILED
          ? Optional.of("refused " + desired.label() + ": " + remoteConfigStatus.getErrorMessage())
          : Optional.empty();
    }
    return reported.isEmpty() || desiredInFlight ? Optional.empty()
        : Optional.of("runs another config than " + desired.label());
  }

  /** Healthy when it says so; an agent that reports no health counts as healthy while connected. */
  public boolean healthy() {
    return healthy(connected, health);
  }

  static boolean healthy(boolean connected, ComponentHealth health) {
    return connected && (health == null || health.getHealthy());
  }
}

package io.opampfleet.server.inventory;

import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.proto.PackageStatuses;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.server.configs.ConfigVersion;
import java.util.Map;

/** One agent's state at a moment; nullable parts the agent has not reported. Times are epoch ms. */
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
    long connectedSince,
    long lastSeen,
    String remoteAddress,
    String certificateSubject,
    String certificateSha256,
    String pendingCertificateSha256,
    ConfigVersion desired) {

  /** Healthy when it says so; an agent that reports no health counts as healthy while connected. */
  public boolean healthy() {
    return healthy(connected, health);
  }

  static boolean healthy(boolean connected, ComponentHealth health) {
    return connected && (health == null || health.getHealthy());
  }
}

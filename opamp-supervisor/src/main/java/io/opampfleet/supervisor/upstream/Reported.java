package io.opampfleet.supervisor.upstream;

import io.opampfleet.netty.client.OpampClient;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.ConnectionSettingsStatus;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.proto.PackageStatuses;
import io.opampfleet.proto.RemoteConfigStatus;

/**
 * What the supervisor last told the server, kept so that a new connection (new settings offered
 * by the server) starts out saying all of it again.
 */
public final class Reported {
  private volatile OpampClient client;
  private volatile AgentDescription description;
  private volatile ComponentHealth health;
  private volatile EffectiveConfig effectiveConfig;
  private volatile RemoteConfigStatus remoteConfigStatus;
  private volatile PackageStatuses packageStatuses;
  private volatile AvailableComponents availableComponents;
  private volatile ConnectionSettingsStatus connectionSettingsStatus;

  public void description(AgentDescription description) {
    this.description = description;
    apply(c -> c.setAgentDescription(description));
  }

  public void health(ComponentHealth health) {
    this.health = health;
    apply(c -> c.setHealth(health));
  }

  public void effectiveConfig(EffectiveConfig config) {
    this.effectiveConfig = config;
    apply(c -> c.setEffectiveConfig(config));
  }

  public void remoteConfigStatus(RemoteConfigStatus status) {
    this.remoteConfigStatus = status;
    apply(c -> c.setRemoteConfigStatus(status));
  }

  public void packageStatuses(PackageStatuses statuses) {
    this.packageStatuses = statuses;
    apply(c -> c.setPackageStatuses(statuses));
  }

  public void availableComponents(AvailableComponents components) {
    this.availableComponents = components;
    apply(c -> c.setAvailableComponents(components));
  }

  public void connectionSettingsStatus(ConnectionSettingsStatus status) {
    this.connectionSettingsStatus = status;
    apply(c -> c.setConnectionSettingsStatus(status));
  }

  /** Makes {@code next} the client reports go to, and tells it everything known so far. */
  public synchronized void switchTo(OpampClient next) {
    client = next;
    if (description != null) {
      next.setAgentDescription(description);
    }
    if (health != null) {
      next.setHealth(health);
    }
    if (effectiveConfig != null) {
      next.setEffectiveConfig(effectiveConfig);
    }
    if (remoteConfigStatus != null) {
      next.setRemoteConfigStatus(remoteConfigStatus);
    }
    if (packageStatuses != null) {
      next.setPackageStatuses(packageStatuses);
    }
    if (availableComponents != null) {
      next.setAvailableComponents(availableComponents);
    }
    if (connectionSettingsStatus != null) {
      next.setConnectionSettingsStatus(connectionSettingsStatus);
    }
  }

  public OpampClient client() {
    return client;
  }

  private synchronized void apply(java.util.function.Consumer<OpampClient> action) {
    if (client != null) {
      action.accept(client);
    }
  }
}

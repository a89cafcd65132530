package io.opampfleet.supervisor.upstream;

import io.opampfleet.netty.client.OpampClient;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.ConnectionSettingsStatus;
import io.opampfleet.proto.CustomCapabilities;
import io.opampfleet.proto.CustomMessage;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.proto.PackageStatuses;
import io.opampfleet.proto.RemoteConfigStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the supervisor last told the server, kept so that a new connection (new settings offered
 * by the server) starts out saying all of it again.
 */
public final class Reported {
  private volatile OpampClient client;
  /** The latest report of each kind, as the call that tells a client. */
  private final Map<String, Consumer<OpampClient>> latest = new LinkedHashMap<>();

  public void description(AgentDescription description) {
    tell("description", c -> c.setAgentDescription(description));
  }

  public void health(ComponentHealth health) {
    tell("health", c -> c.setHealth(health));
  }

  public void effectiveConfig(EffectiveConfig config) {
    tell("effectiveConfig", c -> c.setEffectiveConfig(config));
  }

  public void remoteConfigStatus(RemoteConfigStatus status) {
    tell("remoteConfigStatus", c -> c.setRemoteConfigStatus(status));
  }

  public void packageStatuses(PackageStatuses statuses) {
    tell("packageStatuses", c -> c.setPackageStatuses(statuses));
  }

  public void availableComponents(AvailableComponents components) {
    tell("availableComponents", c -> c.setAvailableComponents(components));
  }

  public void customCapabilities(CustomCapabilities capabilities) {
    tell("customCapabilities", c -> c.setCustomCapabilities(capabilities));
  }

  /** A message, not a state: it goes to the client of the moment, or nowhere when there is none. */
  public boolean customMessage(CustomMessage message) {
    OpampClient now = client;
    return now != null && now.sendCustomMessage(message);
  }

  public void connectionSettingsStatus(ConnectionSettingsStatus status) {
    tell("connectionSettingsStatus", c -> c.setConnectionSettingsStatus(status));
  }

  /**
   * Makes {@code next} the client reports go to, and tells it everything known so far, with the custom
   * messages the client before it had not had answered.
   */
  public synchronized void switchTo(OpampClient next) {
    OpampClient before = client;
    client = next;
    latest.values().forEach(report -> report.accept(next));
    if (before != null && before != next) {
      before.takeCustomMessages().forEach(next::sendCustomMessage);
    }
  }

  public OpampClient client() {
    return client;
  }

  private synchronized void tell(String kind, Consumer<OpampClient> report) {
    latest.put(kind, report);
    if (client != null) {
      report.accept(client);
    }
  }
}

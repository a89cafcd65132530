package io.opampfleet.server.internal.inventory;

import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ConnectionSettingsStatus;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.proto.RemoteConfigStatuses;
import java.util.ArrayList;
import java.util.List;

/**
 * Folds what an agent reports into what the server knows of it. A part the message leaves out is
 * unchanged, as the protocol says; what matters to an operator comes back as events.
 */
public final class Reports {
  private final Inventory inventory;

  public Reports(Inventory inventory) {
    this.inventory = inventory;
  }

  /** Records a (new) connection of the agent. */
  public List<AgentEvent> connected(Agent agent, AgentConnection connection, long now) {
    String address = String.valueOf(connection.remoteAddress());
    agent.connect(connection, address, now, inventory.replica());
    return List.of(new AgentEvent(agent.uid(), now, AgentEvent.Kind.CONNECTED,
        connection.transport() + " from " + address));
  }

  public List<AgentEvent> disconnected(Agent agent, AgentConnection connection, long now, String why) {
    if (!agent.disconnect(connection, now)) {
      return List.of();
    }
    inventory.changed(agent);
    return List.of(new AgentEvent(agent.uid(), now, AgentEvent.Kind.DISCONNECTED, why));
  }

  /**
   * Applies one message; returns the events it makes. The caller tells the inventory's listeners (the
   * rollout engine) once it has queued the agent's row, so that what they record follows the report.
   */
  public List<AgentEvent> apply(Agent agent, AgentToServer message, String remoteAddress, long now) {
    List<AgentEvent> events = new ArrayList<>();
    boolean drifted = agent.snapshot().drift().isPresent();
    agent.seen(now, remoteAddress);
    if (message.hasAgentDescription()) {
      agent.describe(message.getAgentDescription());
    }
    if (message.getCapabilities() != 0) {
      agent.capabilities(message.getCapabilities());
    }
    if (message.hasHealth()) {
      boolean wasHealthy = agent.healthy();
      agent.health(message.getHealth());
      if (wasHealthy != message.getHealth().getHealthy()) {
        events.add(new AgentEvent(agent.uid(), now,
            message.getHealth().getHealthy() ? AgentEvent.Kind.HEALTHY : AgentEvent.Kind.UNHEALTHY,
            message.getHealth().getHealthy() ? message.getHealth().getStatus() : message.getHealth().getLastError()));
      }
    }
    if (message.hasEffectiveConfig()) {
      agent.effectiveConfig(message.getEffectiveConfig());
    }
    if (message.hasRemoteConfigStatus()) {
      RemoteConfigStatus before = agent.remoteConfigStatus();
      RemoteConfigStatus after = message.getRemoteConfigStatus();
      agent.remoteConfigStatus(after);
      if (!after.equals(before)) {
        events.addAll(configEvent(agent, after, now));
      }
    }
    if (message.hasConnectionSettingsStatus()) {
      connectionSettingsEvent(agent, message.getConnectionSettingsStatus(), now).ifPresent(events::add);
    }
    if (message.hasPackageStatuses()) {
      agent.packageStatuses(message.getPackageStatuses());
    }
    if (message.hasAvailableComponents() && !message.getAvailableComponents().getComponentsMap().isEmpty()) {
      agent.availableComponents(message.getAvailableComponents());
    }
    Drift.began(agent.snapshot(), drifted, now).ifPresent(events::add);
    return events;
  }

  /** The end of an offer of connection settings: kept, or refused with the agent's reason. */
  private static java.util.Optional<AgentEvent> connectionSettingsEvent(Agent agent, ConnectionSettingsStatus status,
      long now) {
    return switch (status.getStatus()) {
      case ConnectionSettingsStatuses_APPLIED -> java.util.Optional.of(new AgentEvent(agent.uid(), now,
          AgentEvent.Kind.CONNECTION_SETTINGS_APPLIED, "the offered connection settings are in use"));
      case ConnectionSettingsStatuses_FAILED -> java.util.Optional.of(new AgentEvent(agent.uid(), now,
          AgentEvent.Kind.CONNECTION_SETTINGS_FAILED, status.getErrorMessage()));
      default -> java.util.Optional.empty();
    };
  }

  private static List<AgentEvent> configEvent(Agent agent, RemoteConfigStatus status, long now) {
    String version = agent.desired() != null && agent.reports(agent.desired()) ? agent.desired().label() : "config";
    if (status.getStatus() == RemoteConfigStatuses.RemoteConfigStatuses_APPLIED) {
      return List.of(new AgentEvent(agent.uid(), now, AgentEvent.Kind.CONFIG_APPLIED, version));
    }
    if (status.getStatus() == RemoteConfigStatuses.RemoteConfigStatuses_FAILED) {
      return List.of(new AgentEvent(agent.uid(), now, AgentEvent.Kind.CONFIG_FAILED,
          version + ": " + status.getErrorMessage()));
    }
    return List.of();
  }
}

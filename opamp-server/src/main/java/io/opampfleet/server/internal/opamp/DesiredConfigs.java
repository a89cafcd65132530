package io.opampfleet.server.internal.opamp;

import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.AgentEvent;
import io.opampfleet.server.internal.packages.HostedPackage;
import io.opampfleet.server.internal.rollout.ConfigSender;
import io.opampfleet.server.internal.store.WriteBehind;

/**
 * The one way an agent's desired config or package changes: by a push, an assignment, an offer, a
 * rollout or its rollback.
 */
public final class DesiredConfigs implements ConfigSender {
  private final WriteBehind writes;
  private final AgentCommands commands;

  public DesiredConfigs(WriteBehind writes, AgentCommands commands) {
    this.writes = writes;
    this.commands = commands;
  }

  @Override
  public void send(Agent agent, ConfigVersion version, String why, long now) {
    agent.desire(version);
    writes.desired(agent, new AgentEvent(agent.uid(), now, AgentEvent.Kind.CONFIG_SENT, version.label() + " (" + why + ")"));
    commands.sendDesiredConfig(agent);
  }

  @Override
  public void returnToLocal(Agent agent, String why, long now) {
    agent.desireLocal();
    writes.desired(agent, new AgentEvent(agent.uid(), now, AgentEvent.Kind.CONFIG_SENT, "its local config (" + why + ")"));
    commands.sendDesiredConfig(agent);
  }

  @Override
  public void adopt(Agent agent, ConfigVersion version, boolean local) {
    if (local) {
      agent.desireLocal();
    } else {
      agent.desire(version);
    }
    commands.sendDesiredConfig(agent);
  }

  @Override
  public void offer(Agent agent, HostedPackage hosted, String why, long now) {
    commands.offerPackage(agent, hosted);
    writes.event(new AgentEvent(agent.uid(), now, AgentEvent.Kind.PACKAGE_OFFERED, hosted.label() + " (" + why + ")"));
  }
}

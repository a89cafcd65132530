package io.opampfleet.server.internal.opamp;

import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.Transport;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.AgentEvent;
import io.opampfleet.server.internal.store.CommandRepository.Kind;
import io.opampfleet.server.internal.store.CommandRepository;
import io.opampfleet.server.internal.store.WriteBehind;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * An operator's one-off command for an agent (restart, a new certificate): sent now when this server
 * holds its connection, else left in the store for the server that does (which carries it out
 * once); each sent command is an event of the agent. Among servers sharing the store, an HTTP
 * agent's command is left in the store even when its last poll reached this server: its next poll
 * may reach another, which then carries it out in its answer.
 */
public final class OperatorCommands {
  /** What became of a command. */
  public enum Outcome { SENT, ASKED_ELSEWHERE, AT_NEXT_POLL, NOT_CONNECTED, NOT_CAPABLE }

  private final AgentCommands commands;
  private final WriteBehind writes;
  private final CommandRepository queue;
  private final LongSupplier clock;
  private final boolean pollsMayReachOthers;

  /** {@code pollsMayReachOthers}: other servers share the store, so an HTTP agent may poll any of them. */
  public OperatorCommands(AgentCommands commands, WriteBehind writes, CommandRepository queue, LongSupplier clock,
      boolean pollsMayReachOthers) {
    this.commands = commands;
    this.writes = writes;
    this.queue = queue;
    this.clock = clock;
    this.pollsMayReachOthers = pollsMayReachOthers;
  }

  public Outcome ask(Agent agent, Kind kind, String who) {
    if (!agent.heldHere()) {
      if (!agent.connected()) {
        return Outcome.NOT_CONNECTED;
      }
      queue.ask(agent.uid(), kind, who, clock.getAsLong());
      return Outcome.ASKED_ELSEWHERE;
    }
    AgentConnection connection = agent.connection();
    if (pollsMayReachOthers && connection != null && connection.transport() == Transport.HTTP) {
      if (!takes(agent, kind)) {
        return Outcome.NOT_CAPABLE;
      }
      queue.ask(agent.uid(), kind, who, clock.getAsLong());
      return Outcome.AT_NEXT_POLL;
    }
    return carryOut(agent, kind, who) ? Outcome.SENT : Outcome.NOT_CAPABLE;
  }

  private static boolean takes(Agent agent, Kind kind) {
    return switch (kind) {
      case RESTART -> AgentCommands.takesRestarts(agent);
      case ROTATE_CERTIFICATE -> AgentCommands.takesConnectionSettings(agent);
    };
  }

  /** Sends the command over the connection held here; false when the agent is gone or does not take it. */
  public boolean carryOut(Agent agent, Kind kind, String who) {
    long now = clock.getAsLong();
    boolean sent = switch (kind) {
      case RESTART -> commands.restart(agent);
      case ROTATE_CERTIFICATE -> commands.rotateCertificate(agent);
    };
    if (!sent) {
      return false;
    }
    if (kind == Kind.ROTATE_CERTIFICATE) {
      writes.agent(agent, List.of(new AgentEvent(agent.uid(), now, AgentEvent.Kind.CERTIFICATE_ISSUED,
          "new key and certificate offered (by " + who + ")")));
    } else {
      writes.event(new AgentEvent(agent.uid(), now, AgentEvent.Kind.RESTART_SENT, "by " + who));
    }
    return true;
  }
}

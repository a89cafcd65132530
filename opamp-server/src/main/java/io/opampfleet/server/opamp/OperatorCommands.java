package io.opampfleet.server.opamp;

import io.opampfleet.server.inventory.Agent;
import io.opampfleet.server.inventory.AgentEvent;
import io.opampfleet.server.store.CommandRepository;
import io.opampfleet.server.store.CommandRepository.Kind;
import io.opampfleet.server.store.WriteBehind;
import java.util.function.LongSupplier;

/**
 * An operator's one-off command for an agent (restart, a new certificate): sent now when this server
 * holds its connection, else left in the store for the server that does (which carries it out
 * once); each sent command is an event of the agent.
 */
public final class OperatorCommands {
  /** What became of a command. */
  public enum Outcome { SENT, ASKED_ELSEWHERE, NOT_CONNECTED, NOT_CAPABLE }

  private final AgentCommands commands;
  private final WriteBehind writes;
  private final CommandRepository queue;
  private final LongSupplier clock;

  public OperatorCommands(AgentCommands commands, WriteBehind writes, CommandRepository queue, LongSupplier clock) {
    this.commands = commands;
    this.writes = writes;
    this.queue = queue;
    this.clock = clock;
  }

  public Outcome ask(Agent agent, Kind kind, String who) {
    if (!agent.heldHere()) {
      if (!agent.connected()) {
        return Outcome.NOT_CONNECTED;
      }
      queue.ask(agent.uid(), kind, who, clock.getAsLong());
      return Outcome.ASKED_ELSEWHERE;
    }
    return carryOut(agent, kind, who) ? Outcome.SENT : Outcome.NOT_CAPABLE;
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
      writes.agent(agent);
      writes.event(new AgentEvent(agent.uid(), now, AgentEvent.Kind.CERTIFICATE_ISSUED,
          "new key and certificate offered (by " + who + ")"));
    } else {
      writes.event(new AgentEvent(agent.uid(), now, AgentEvent.Kind.RESTART_SENT, "by " + who));
    }
    return true;
  }
}

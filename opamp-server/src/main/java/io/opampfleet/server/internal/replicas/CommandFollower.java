package io.opampfleet.server.internal.replicas;

import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.Transport;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.opamp.OperatorCommands;
import io.opampfleet.server.internal.store.CommandRepository.Command;
import io.opampfleet.server.internal.store.CommandRepository;
import java.sql.Connection;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the one-off commands another server was asked for agents held here: at once for those
 * connected here when the command is told, and after the next message of an agent that has one
 * waiting (an HTTP agent polls whichever server its balancer picks). Each command is claimed before
 * it is sent, so only one server sends it; one whose agent does not come back within an hour is forgotten.
 */
public final class CommandFollower implements StoreFollower {
  private static final Logger log = LoggerFactory.getLogger(CommandFollower.class);
  private static final Duration KEEP = Duration.ofHours(1);

  private final Inventory inventory;
  private final CommandRepository repository;
  private final OperatorCommands operator;
  private final LongSupplier clock;
  /** Agents with commands waiting, as last read or told. */
  private final Set<String> waiting = ConcurrentHashMap.newKeySet();

  public CommandFollower(Inventory inventory, CommandRepository repository, OperatorCommands operator,
      LongSupplier clock) {
    this.inventory = inventory;
    this.repository = repository;
    this.operator = operator;
    this.clock = clock;
  }

  @Override
  public String channel() {
    return CommandRepository.CHANNEL;
  }

  @Override
  public void follow(Connection connection, Collection<String> uids) {
    waiting.addAll(uids);
    deliver(uids, false);
  }

  @Override
  public void repair(Connection connection) {
    repository.expire(clock.getAsLong() - KEEP.toMillis());
    Set<String> now = repository.agentsWaiting();
    waiting.retainAll(now);
    waiting.addAll(now);
    deliver(now, false);
  }

  /** After a message of an agent held here: its waiting commands, if it has any. */
  public void afterMessage(Agent agent) {
    if (waiting.contains(agent.uid())) {
      deliver(List.of(agent.uid()), true);
    }
  }

  /**
   * Carries out the waiting commands of those agents held here; those of HTTP agents only after
   * one of their messages ({@code afterMessage}), as the answer to their next poll may come from
   * another server.
   */
  private void deliver(Collection<String> uids, boolean afterMessage) {
    List<String> held = uids.stream().filter(uid -> inventory.find(uid).map(agent -> {
      AgentConnection connection = agent.connection();
      return connection != null && (afterMessage || connection.transport() == Transport.WEBSOCKET);
    }).orElse(false)).toList();
    for (Command command : repository.waiting(held)) {
      Agent agent = inventory.find(command.uid()).orElse(null);
      if (agent == null || !agent.heldHere() || !repository.claim(command.id())) {
        continue;
      }
      if (!operator.carryOut(agent, command.kind(), command.askedBy())) {
        log.warn("agent {}: {} asked by {} was not sent: the agent does not take it", agent.uid(), command.kind(),
            command.askedBy());
      }
    }
    held.forEach(waiting::remove);
  }
}

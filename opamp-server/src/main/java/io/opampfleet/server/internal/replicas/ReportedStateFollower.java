package io.opampfleet.server.internal.replicas;

import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.Transport;
import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.AgentSnapshot;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.store.AgentRows;
import io.opampfleet.server.internal.store.ConfigRepository;
import io.opampfleet.server.internal.store.WriteBehind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the agents this server has but others hold as the store has them: what they report and
 * which server holds them, so that a rollout driven here sees its agents wherever they are
 * connected; lets go of those it no longer needs (the fleet view reads the store). When the store
 * says another server holds an agent still linked here by a newer connection (a stale one during a
 * failover), the link here is closed: the newest one stays. An HTTP agent whose later poll reached
 * another server (a balancer spreads its polls) is shown there.
 */
public final class ReportedStateFollower implements StoreFollower {
  private static final Logger log = LoggerFactory.getLogger(ReportedStateFollower.class);

  private final Inventory inventory;
  private final ReplicaPresence presence;
  private final BiFunction<String, Integer, ConfigVersion> versions;
  private final Predicate<String> needed;

  /** @param needed whether this server needs an agent it does not hold (a rollout it drives has it) */
  public ReportedStateFollower(Inventory inventory, ReplicaPresence presence, ConfigRepository configs,
      Predicate<String> needed) {
    this.inventory = inventory;
    this.presence = presence;
    this.versions = (name, version) -> configs.version(name, version).orElse(null);
    this.needed = needed;
  }

  @Override
  public String channel() {
    return WriteBehind.REPORTED_CHANNEL;
  }

  /** Follows the agents of these uids that are here; the others are left to the store. */
  @Override
  public void follow(Connection connection, Collection<String> uids) throws SQLException {
    List<String> here = uids.stream().filter(uid -> inventory.find(uid).isPresent()).toList();
    if (here.isEmpty()) {
      return;
    }
    List<AgentSnapshot> rows = AgentRows.load(connection, versions, presence::aliveElsewhere,
        " WHERE agents.instance_uid = ANY(?) AND (agents.held_by IS NULL OR agents.held_by <> ?)",
        List.of(connection.createArrayOf("text", here.toArray()), presence.name()));
    rows.forEach(this::take);
  }

  /**
   * Lets go of the agents this server no longer needs; of the others here, reads which server holds
   * each, since when, and how many changes it has reported (a small row each), and takes whole
   * those that differ from what this server has; then marks disconnected the agents whose server is gone.
   */
  @Override
  public void repair(Connection connection) throws SQLException {
    int forgotten = inventory.forgetIdle(needed, System.nanoTime());
    if (forgotten > 0) {
      log.debug("replicas: let go of {} agents held elsewhere that nothing here needs", forgotten);
    }
    List<String> stale = new ArrayList<>();
    try (PreparedStatement select = connection.prepareStatement("SELECT instance_uid, connected, held_by,"
        + " connected_since, last_seen, revision FROM agents WHERE instance_uid = ANY(?)"
        + " AND (held_by IS NULL OR held_by <> ?)")) {
      select.setArray(1, connection.createArrayOf("text", inventory.all().stream().map(Agent::uid).toArray()));
      select.setString(2, presence.name());
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          String uid = rows.getString(1);
          AgentSnapshot known = inventory.find(uid).map(Agent::snapshot).orElse(null);
          String heldBy = rows.getString(3);
          boolean connected = rows.getBoolean(2) && heldBy != null && presence.aliveElsewhere(heldBy);
          // A connected agent's last message moves with every heartbeat, of which no one is told.
          if (known == null || known.connected() != connected || known.connectedSince() != rows.getLong(4)
              || known.revision() != rows.getLong(6) || (!connected && known.lastSeen() != rows.getLong(5))
              || (connected && !heldBy.equals(known.heldBy()))) {
            stale.add(uid);
          }
        }
      }
    }
    if (!stale.isEmpty()) {
      follow(connection, stale);
    }
    for (Agent agent : inventory.all()) {
      if (agent.holderGone(presence.alive())) {
        inventory.changed(agent);
      }
    }
  }

  private void take(AgentSnapshot stored) {
    Agent agent = inventory.find(stored.uid()).orElse(null);
    if (agent == null) {
      return;
    }
    if (agent.follow(stored)) {
      inventory.changed(agent);
      return;
    }
    AgentConnection here = agent.connection();
    AgentSnapshot mine = agent.snapshot();
    if (here == null || !stored.connected()) {
      return;
    }
    if (here.transport() == Transport.HTTP) {
      // Each poll is a connection of its own: the latest one counts, whenever this link began.
      // Shown where it polled last, and the link left open: closing it would race with a poll that
      // reaches this server again on the same link, and mark disconnected an agent that just spoke.
      // Its next poll here takes the link up again; one that stops polling here is forgotten when idle.
      if (stored.lastSeen() > mine.lastSeen() && agent.handOver(here, stored)) {
        log.debug("replicas: agent {} polled {} last", stored.uid(), stored.heldBy());
        inventory.changed(agent);
      }
    } else if (stored.connectedSince() > mine.connectedSince()) {
      log.info("replicas: agent {} has a newer connection to {}; closing its older one here", stored.uid(),
          stored.heldBy());
      here.close();
    }
  }
}

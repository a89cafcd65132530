package io.opampfleet.server.internal.replicas;

import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.rollout.RolloutEngine;
import io.opampfleet.server.internal.store.ConfigRepository;
import io.opampfleet.server.internal.store.WriteBehind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Brings what another server sharing the store decided for an agent (its desired config) to this
 * one: to the agent itself when this server holds its connection, and to what operators see here
 * otherwise. A decision made here and not yet written is never undone by an older one read back.
 */
public final class DesiredStateFollower implements StoreFollower {
  private final Inventory inventory;
  private final ConfigRepository configs;
  private final RolloutEngine engine;

  public DesiredStateFollower(Inventory inventory, ConfigRepository configs, RolloutEngine engine) {
    this.inventory = inventory;
    this.configs = configs;
    this.engine = engine;
  }

  @Override
  public String channel() {
    return WriteBehind.DESIRED_CHANNEL;
  }

  /**
   * Every agent here is compared with the store: one held here would be sent a stale config, and
   * one read for a rollout or an operator (a signal may come while it is being read) would be shown
   * or acted on with one.
   */
  @Override
  public void repair(Connection connection) throws SQLException {
    follow(connection, inventory.all().stream().map(Agent::uid).toList());
  }

  @Override
  public void follow(Connection connection, Collection<String> uids) throws SQLException {
    // What this server wants for each, taken before the store is read: adopt checks it is unchanged.
    Map<String, RolloutEngine.DesiredState> seen = new HashMap<>();
    for (String uid : uids) {
      inventory.find(uid).ifPresent(agent -> seen.put(uid, RolloutEngine.DesiredState.of(agent)));
    }
    if (seen.isEmpty()) {
      return;
    }
    try (PreparedStatement select = connection.prepareStatement("SELECT agents.instance_uid, d.desired_config,"
        + " d.desired_version, d.desired_local FROM agents LEFT JOIN agent_desired d"
        + " ON d.instance_uid = agents.instance_uid WHERE agents.instance_uid = ANY(?)")) {
      select.setArray(1, connection.createArrayOf("text", seen.keySet().toArray()));
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          String name = rows.getString(2);
          ConfigVersion version = name == null ? null : configs.version(name, rows.getInt(3)).orElse(null);
          boolean local = rows.getBoolean(4);
          String uid = rows.getString(1);
          RolloutEngine.DesiredState wanted = seen.get(uid);
          RolloutEngine.DesiredState stored = new RolloutEngine.DesiredState(
              version == null ? null : version.label(), local);
          Agent agent = inventory.find(uid).orElse(null);
          if (agent != null && !stored.equals(wanted)) {
            engine.adopt(agent, wanted, version, local);
          }
        }
      }
    }
  }
}

package io.opampfleet.server.replicas;

import io.opampfleet.server.configs.ConfigVersion;
import io.opampfleet.server.inventory.Agent;
import io.opampfleet.server.inventory.Inventory;
import io.opampfleet.server.rollout.RolloutEngine;
import io.opampfleet.server.store.ConfigRepository;
import io.opampfleet.server.store.Database;
import io.opampfleet.server.store.WriteBehind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings what another server sharing the PostgreSQL store decided for an agent (its desired config)
 * to that agent when this server holds its connection. A change is told on a channel at its commit
 * (LISTEN/NOTIFY); the signal only says which agent to look at, and the state is read from the
 * store. Every few seconds every agent held here is compared with the store as well, so a signal
 * missed while the listening connection was down is repaired by the next comparison.
 */
public final class DesiredStateFollower implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DesiredStateFollower.class);
  private static final Duration REPAIR_EVERY = Duration.ofSeconds(10);
  private static final int WAIT_MILLIS = 500;

  private final Database database;
  private final Inventory inventory;
  private final ConfigRepository configs;
  private final RolloutEngine engine;
  private final Thread thread;
  private volatile boolean running = true;

  public DesiredStateFollower(Database database, Inventory inventory, ConfigRepository configs, RolloutEngine engine) {
    this.database = database;
    this.inventory = inventory;
    this.configs = configs;
    this.engine = engine;
    this.thread = new Thread(this::run, "desired-state-follower");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    while (running) {
      try (Connection connection = database.connection(); Statement listen = connection.createStatement()) {
        connection.setAutoCommit(true);
        listen.execute("LISTEN " + WriteBehind.DESIRED_CHANNEL);
        try {
          listen(connection);
        } finally {
          // The connection goes back to the pool: it must not go on collecting signals nobody reads.
          listen.execute("UNLISTEN *");
        }
      } catch (SQLException | RuntimeException e) {
        if (running) {
          log.warn("replicas: cannot follow the store's desired state ({}); trying again in 1 s", e.getMessage());
          sleepQuietly();
        }
      }
    }
  }

  private void listen(Connection connection) throws SQLException {
    PGConnection signals = connection.unwrap(PGConnection.class);
    long repairedAt = 0;
    while (running) {
      if (System.nanoTime() - repairedAt > REPAIR_EVERY.toNanos()) {
        follow(connection, held());
        repairedAt = System.nanoTime();
      }
      PGNotification[] told = signals.getNotifications(WAIT_MILLIS);
      if (told != null && told.length > 0) {
        Set<String> uids = new LinkedHashSet<>();
        for (PGNotification notification : told) {
          uids.add(notification.getParameter());
        }
        follow(connection, uids);
      }
    }
  }

  /** The uids of the agents connected to this server. */
  private List<String> held() {
    List<String> uids = new ArrayList<>();
    for (Agent agent : inventory.all()) {
      if (agent.connected()) {
        uids.add(agent.uid());
      }
    }
    return uids;
  }

  /** Compares the agents held here among {@code uids} with the store, and adopts what differs. */
  private void follow(Connection connection, java.util.Collection<String> uids) throws SQLException {
    // What this server wants for each, taken before the store is read: adopt checks it is unchanged.
    Map<String, RolloutEngine.DesiredState> seen = new HashMap<>();
    for (String uid : uids) {
      inventory.find(uid).filter(Agent::connected).ifPresent(agent -> seen.put(uid, RolloutEngine.DesiredState.of(agent)));
    }
    List<String> here = List.copyOf(seen.keySet());
    if (here.isEmpty()) {
      return;
    }
    try (PreparedStatement select = connection.prepareStatement("SELECT instance_uid, desired_config,"
        + " desired_version, desired_local FROM agents WHERE instance_uid = ANY(?)")) {
      select.setArray(1, connection.createArrayOf("text", here.toArray()));
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

  private static void sleepQuietly() {
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(2000);
  }
}

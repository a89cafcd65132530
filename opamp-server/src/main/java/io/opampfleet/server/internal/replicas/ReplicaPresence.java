package io.opampfleet.server.internal.replicas;

import io.opampfleet.server.internal.DaemonThreads;
import io.opampfleet.server.internal.ScheduledJob;
import io.opampfleet.server.internal.rollout.Replicas;
import io.opampfleet.server.internal.store.Database;
import io.opampfleet.server.internal.store.Dialect;
import io.opampfleet.server.internal.store.Signals;
import io.opampfleet.server.internal.store.StoreException;
import io.opampfleet.server.internal.store.WriteBehind;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This server's row among those sharing the store: it says it is alive until a moment it keeps
 * moving on (a lease, judged by the store's clock). The agents a server held when its lease ran
 * out are marked disconnected by whichever server sees it first, and the others are told.
 */
public final class ReplicaPresence implements Replicas, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReplicaPresence.class);
  /** How long a server counts as alive after it last said so. */
  public static final Duration LEASE = Duration.ofSeconds(10);
  private static final Duration RENEW_EVERY = Duration.ofSeconds(2);
  private static final Duration MARGIN = Duration.ofSeconds(3);

  private final Database database;
  private final String name;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
      DaemonThreads.named("replica-presence"));
  private volatile Set<String> alive = Set.of();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final List<Runnable> regained = new CopyOnWriteArrayList<>();
  private volatile String opampAddress;
  private volatile String adminAddress;
  private long startedAt;
  private volatile long renewedAt = System.nanoTime() - LEASE.toNanos();
  private volatile long lapses;
  /** Until when, by the store's clock, the last renewal keeps this server alive (0: none yet). */
  private long aliveUntil;
  /** The store's clock less this machine's, as last measured. */
  private volatile long clockOffset;

  /**
   * Waits out the lease of an earlier start of a server of this name (one killed moments ago), lets
   * go of the agents that start held, writes this server's row, learns which others are alive, and
   * keeps the row alive from now on.
   *
   * @throws StoreException when a server of this name is alive: two servers must not share a name
   */
  public ReplicaPresence(Database database, String name) {
    this.database = database;
    this.name = name;
    try {
      awaitNameFree();
      try (Connection connection = database.connection()) {
        release(connection, name, database.dialect().nowMillis(connection));
      }
      renew();
    } catch (SQLException e) {
      throw new StoreException("cannot join the servers sharing the store: " + e.getMessage(), e);
    }
    long every = RENEW_EVERY.toMillis();
    thread.scheduleWithFixedDelay(ScheduledJob.keptRunning("replicas: renewing this server's presence",
        this::renewOnSchedule), every, every, TimeUnit.MILLISECONDS);
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * The time by the store's clock (as of the last renewal), so that times servers sharing it write
   * (when a connection began, an agent's last message) compare across machines whose clocks differ.
   */
  public long storeMillis() {
    return System.currentTimeMillis() + clockOffset;
  }

  /**
   * Whether this server renewed its lease recently enough that the others still count it alive,
   * with a margin: a renewal started on this clock, and the lease runs from a later reading of the
   * store's.
   */
  @Override
  public boolean present() {
    return System.nanoTime() - renewedAt < LEASE.toNanos() - MARGIN.toNanos();
  }

  @Override
  public long lapses() {
    return lapses;
  }

  /** The listeners' addresses, shown to operators with the server's name. */
  public void serving(InetSocketAddress opamp, InetSocketAddress admin) {
    this.opampAddress = opamp.toString();
    this.adminAddress = admin.toString();
  }

  /**
   * Whether the named server is another one, alive at the last look: an agent its row says it holds
   * is connected there. (A row naming this server is from an earlier start, or written here.)
   */
  @Override
  public boolean aliveElsewhere(String replica) {
    // The embedded store serves one server: whatever its rows say, no other holds an agent.
    return database.dialect() != Dialect.H2 && !replica.equals(name) && alive.contains(replica);
  }

  /** The servers alive at the last look, this one with them. */
  public Set<String> alive() {
    return alive;
  }

  /** Runs {@code listener} whenever a server joins or leaves (on the presence's thread). */
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  /**
   * Runs {@code listener} when this server renews its lease after it had run out (the others may
   * have marked its agents disconnected meanwhile).
   */
  public void onRegained(Runnable listener) {
    regained.add(listener);
  }

  private void renewOnSchedule() {
    try {
      renew();
    } catch (SQLException e) {
      throw new StoreException("cannot reach the store (" + e.getMessage() + "); trying again in "
          + RENEW_EVERY.toSeconds() + " s", e);
    }
  }

  private void renew() throws SQLException {
    long started = System.nanoTime();
    boolean lapsedBefore = startedAt != 0 && !present();
    try (Connection connection = database.connection()) {
      long asked = System.currentTimeMillis();
      long now = database.dialect().nowMillis(connection);
      long readAt = System.nanoTime();
      clockOffset = now - (asked + System.currentTimeMillis()) / 2;
      if (startedAt == 0) {
        startedAt = now;
      }
      try (PreparedStatement upsert = connection.prepareStatement(database.dialect().upsert("replicas",
          List.of("name", "started_at", "alive_until", "opamp_address", "admin_address"), 1))) {
        upsert.setString(1, name);
        upsert.setLong(2, startedAt);
        upsert.setLong(3, now + LEASE.toMillis());
        upsert.setString(4, opampAddress);
        upsert.setString(5, adminAddress);
        upsert.executeUpdate();
      }
      // Lapsed also when this renewal began in time but took so long that the lease it renews ran out
      // meanwhile, by the store's clock, which the others judge it by.
      long storeNowAfter = now + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - readAt);
      boolean lapsed = lapsedBefore || (aliveUntil != 0 && storeNowAfter >= aliveUntil - MARGIN.toMillis());
      aliveUntil = now + LEASE.toMillis();
      if (lapsed) {
        // Counted before the renewal shows: whoever sees this server present again sees the lapse too.
        lapses++;
      }
      renewedAt = started;
      if (lapsed) {
        log.warn("replicas: this server's presence is renewed after it had lapsed; its agents are written again");
        regained.forEach(Runnable::run);
      }
      Set<String> names = new HashSet<>();
      List<String> gone = new ArrayList<>();
      try (PreparedStatement select = connection.prepareStatement("SELECT name, alive_until FROM replicas");
           ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          (rows.getLong(2) > now ? names : gone).add(rows.getString(1));
        }
      }
      Set<String> before = alive;
      alive = Set.copyOf(names);
      if (!alive.equals(before)) {
        listeners.forEach(Runnable::run);
      }
      for (String replica : gone) {
        release(connection, replica, now);
      }
    }
  }

  /** Until the row of a server of this name says its lease has ended; one renewed meanwhile is alive. */
  private void awaitNameFree() throws SQLException {
    long deadline = System.nanoTime() + LEASE.plus(MARGIN).toNanos();
    Long first = null;
    while (true) {
      long now;
      Long aliveUntil = null;
      try (Connection connection = database.connection();
           PreparedStatement select = connection.prepareStatement("SELECT alive_until FROM replicas WHERE name = ?")) {
        now = database.dialect().nowMillis(connection);
        select.setString(1, name);
        try (ResultSet row = select.executeQuery()) {
          if (row.next()) {
            aliveUntil = row.getLong(1);
          }
        }
      }
      if (aliveUntil == null || aliveUntil <= now) {
        return;
      }
      if (first != null && aliveUntil > first || System.nanoTime() > deadline) {
        throw new StoreException("a server named '" + name + "' is running on this store; give each server its own"
            + " storage::replica_name", null);
      }
      if (first == null) {
        first = aliveUntil;
        log.info("replicas: an earlier '{}' may still hold its lease for {} ms; waiting for it to end", name,
            aliveUntil - now);
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreException("interrupted while waiting for the name '" + name + "'", e);
      }
    }
  }

  /**
   * Forgets a server whose lease ran out (only the server that removes its row goes on), marks the
   * agents it held disconnected, and tells the others. At start, lets go of this server's own.
   */
  private void release(Connection connection, String replica, long now) throws SQLException {
    connection.setAutoCommit(false);
    try {
      try (PreparedStatement delete = connection.prepareStatement(
          "DELETE FROM replicas WHERE name = ? AND alive_until <= ?")) {
        delete.setString(1, replica);
        delete.setLong(2, now);
        if (delete.executeUpdate() == 0 && !replica.equals(name)) {
          // Renewed meanwhile, or another server released it first.
          return;
        }
      }
      List<String> uids = new ArrayList<>();
      try (PreparedStatement held = connection.prepareStatement(
          "SELECT instance_uid FROM agents WHERE connected AND held_by = ?")) {
        held.setString(1, replica);
        try (ResultSet rows = held.executeQuery()) {
          while (rows.next()) {
            uids.add(rows.getString(1));
          }
        }
      }
      try (PreparedStatement update = connection.prepareStatement(
          "UPDATE agents SET connected = FALSE, connected_since = ? WHERE connected AND held_by = ?")) {
        update.setLong(1, now);
        update.setString(2, replica);
        update.executeUpdate();
      }
      Signals.tell(database.dialect(), connection, WriteBehind.REPORTED_CHANNEL, uids);
      connection.commit();
      if (!uids.isEmpty()) {
        log.info("replicas: {} is gone; its {} agents are disconnected until they reconnect", replica, uids.size());
      }
    } finally {
      connection.rollback();
      connection.setAutoCommit(true);
    }
  }

  /** Stops renewing and ends the lease now, so that the others release this server's agents at once. */
  @Override
  public void close() {
    thread.shutdownNow();
    renewedAt = System.nanoTime() - LEASE.toNanos();
    try (Connection connection = database.connection();
         PreparedStatement end = connection.prepareStatement("UPDATE replicas SET alive_until = 0 WHERE name = ?")) {
      end.setString(1, name);
      end.executeUpdate();
    } catch (SQLException | RuntimeException e) {
      log.warn("replicas: cannot end this server's presence in the store ({}); it ends in {} s",
          e.getMessage(), LEASE.toSeconds());
    }
  }
}

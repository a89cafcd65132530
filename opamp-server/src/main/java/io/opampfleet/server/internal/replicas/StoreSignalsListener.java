package io.opampfleet.server.internal.replicas;

import io.opampfleet.server.internal.store.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens, on one connection of its own, to what the servers sharing a PostgreSQL store tell of the
 * agents they change (LISTEN/NOTIFY), and hands each channel's uids to its follower. Signals are
 * hints: every few seconds each follower also compares with the store, so a signal missed while the
 * connection was down is repaired by the next comparison.
 */
public final class StoreSignalsListener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StoreSignalsListener.class);
  private static final Duration REPAIR_EVERY = Duration.ofSeconds(10);
  private static final int WAIT_MILLIS = 250;

  private final Database database;
  private final Map<String, StoreFollower> followers = new LinkedHashMap<>();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean repairDue = true;

  public StoreSignalsListener(Database database, List<StoreFollower> followers) {
    this.database = database;
    followers.forEach(follower -> this.followers.put(follower.channel(), follower));
    this.thread = new Thread(this::run, "store-signals");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    while (running) {
      try (Connection connection = database.connection(); Statement listen = connection.createStatement()) {
        connection.setAutoCommit(true);
        for (String channel : followers.keySet()) {
          listen.execute("LISTEN " + channel);
        }
        try {
          listen(connection);
        } finally {
          // The connection goes back to the pool: it must not go on collecting signals nobody reads.
          listen.execute("UNLISTEN *");
        }
      } catch (SQLException | RuntimeException e) {
        if (running) {
          log.warn("replicas: cannot follow the store's changes ({}); trying again in 1 s", e.getMessage());
          sleepQuietly();
        }
      }
    }
  }

  private void listen(Connection connection) throws SQLException {
    PGConnection signals = connection.unwrap(PGConnection.class);
    long repairedAt = 0;
    repairDue = true;
    while (running) {
      if (repairDue || System.nanoTime() - repairedAt > REPAIR_EVERY.toNanos()) {
        repairDue = false;
        for (StoreFollower follower : followers.values()) {
          isolated(follower, () -> follower.repair(connection));
        }
        repairedAt = System.nanoTime();
      }
      PGNotification[] told = signals.getNotifications(WAIT_MILLIS);
      if (told != null && told.length > 0) {
        Map<String, Set<String>> byChannel = new LinkedHashMap<>();
        for (PGNotification notification : told) {
          byChannel.computeIfAbsent(notification.getName(), c -> new LinkedHashSet<>()).add(notification.getParameter());
        }
        for (Map.Entry<String, Set<String>> entry : byChannel.entrySet()) {
          StoreFollower follower = followers.get(entry.getKey());
          if (follower != null) {
            isolated(follower, () -> follower.follow(connection, entry.getValue()));
          }
        }
      }
    }
  }

  private interface StoreWork {
    void run() throws SQLException;
  }

  /** One follower's failure is logged, and the others go on; the listening connection's own fails the loop. */
  private static void isolated(StoreFollower follower, StoreWork work) throws SQLException {
    try {
      work.run();
    } catch (RuntimeException e) {
      log.warn("replicas: following {} failed ({}); the next signal or comparison tries again", follower.channel(),
          e.toString());
    }
  }

  /** Has every follower compare with the store at once: a server joined or left, so what is connected changed. */
  public void repairSoon() {
    repairDue = true;
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

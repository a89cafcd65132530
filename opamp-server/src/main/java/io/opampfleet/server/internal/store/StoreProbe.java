package io.opampfleet.server.internal.store;

import io.opampfleet.server.internal.DaemonThreads;
import io.opampfleet.server.internal.ScheduledJob;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the store answers: asked every few seconds, on a thread of its own, with a query that
 * must return within a second. The server's readiness follows it, so that a balancer routes
 * agents and operators around a server that lost its database until the database is back; and
 * while it cannot be reached at all, the store's other callers fail at once (see {@link Database#connection}).
 */
public final class StoreProbe implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StoreProbe.class);

  private final Database database;
  private final AtomicBoolean answering = new AtomicBoolean(true);
  /** Its own, kept between checks and opened again once the store could not be reached (probe thread only). */
  private Connection connection;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
      DaemonThreads.named("store-probe"));

  public StoreProbe(Database database, Duration every) {
    this.database = database;
    timer.scheduleWithFixedDelay(ScheduledJob.keptRunning("store: checking that it answers", this::check),
        every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  public boolean answering() {
    return answering.get();
  }

  private void check() {
    String problem = null;
    boolean unreachable = false;
    try {
      if (connection == null) {
        connection = database.probeConnection();
      }
      try (Statement query = connection.createStatement()) {
        query.setQueryTimeout(1);
        query.execute("SELECT 1");
      }
    } catch (Exception e) {
      problem = e.getMessage();
      unreachable = unreachable(e);
      // A query that only timed out leaves its connection good: opened again on a store slow to answer
      // (a loaded machine after a restart), it may fail to connect in time and close the store to callers.
      if (unreachable) {
        closeConnection();
      }
    }
    boolean now = problem == null;
    // A store that only answers slowly (a long checkpoint) is not ready, but its callers may still wait on it.
    database.answering(!unreachable);
    if (answering.getAndSet(now) != now) {
      if (now) {
        log.info("store: answering again; ready");
      } else {
        log.error("store: not answering ({}); not ready until it does", problem);
      }
    }
  }

  /**
   * Whether the store could not be reached, rather than only being slow: anything but the probe's own
   * query timeout (SQLSTATE 57014, or H2's HYT00) — refused, broken, silent or shutting down.
   */
  private static boolean unreachable(Exception e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql && sql.getSQLState() != null) {
        return !sql.getSQLState().equals("57014") && !sql.getSQLState().startsWith("HYT");
      }
    }
    return true;
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (Exception closing) {
        // it is dropped either way
      }
      connection = null;
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeConnection();
  }
}

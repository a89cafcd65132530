package io.opampfleet.server.internal.replicas;

import io.opampfleet.server.internal.DaemonThreads;
import io.opampfleet.server.internal.ScheduledJob;
import io.opampfleet.server.internal.inventory.ReportedStateBudget;
import io.opampfleet.server.internal.store.AgentRows;
import io.opampfleet.server.internal.store.Database;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Counts what the shared store holds of the agents not connected to this server, for its ceiling on
 * reported state ({@link ReportedStateBudget#sharingStore}): once as the server starts, then every
 * {@link #EVERY}. Off the agents' threads: the count reads every agent's row.
 */
public final class StoredReportsCount implements AutoCloseable {
  static final Duration EVERY = Duration.ofSeconds(5);

  private final Database database;
  private final String replica;
  private final ReportedStateBudget budget;
  private final LongSupplier nanos;
  /** When the last count succeeded (as this server started, until one has). */
  private volatile long countedAtNanos;
  private final ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor(
      DaemonThreads.named("stored-reports-count"));

  public StoredReportsCount(Database database, String replica, ReportedStateBudget budget, LongSupplier nanos) {
    this.database = database;
    this.replica = replica;
    this.budget = budget;
    this.nanos = nanos;
    this.countedAtNanos = nanos.getAsLong();
  }

  /** Counts now, then on schedule. */
  public StoredReportsCount start() {
    Runnable count = ScheduledJob.keptRunning("agents' reported state in the store: counting", this::count);
    count.run();
    schedule.scheduleWithFixedDelay(count, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  void count() {
    long begun = budget.storeCountBegins();
    AgentRows.StoredReports stored = AgentRows.notConnectedTo(database, replica);
    budget.storeCounted(begun, stored.agents(), stored.bytes());
    countedAtNanos = nanos.getAsLong();
  }

  /**
   * Seconds since a count last succeeded (since the server started if none has): while counts fail, the
   * ceiling counts the store as the last one found it, and the agents that left since as they were.
   */
  public long secondsSinceCounted() {
    return TimeUnit.NANOSECONDS.toSeconds(nanos.getAsLong() - countedAtNanos);
  }

  @Override
  public void close() {
    schedule.shutdownNow();
  }
}

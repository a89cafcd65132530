package io.opampfleet.server.store;

import io.opampfleet.server.inventory.Agent;
import io.opampfleet.server.inventory.AgentEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes agents' state, their events and rollout progress in batches, on its own thread, so event
 * loops never touch the disk. Each change returns the future of the batch that holds it: the
 * server answers an agent once what it reported is committed and on disk (the store forces each
 * batch, see {@link Database#commitDurably}). A change the store refuses fails its future. A changed
 * agent queued twice before a batch is written once, as it is at writing time.
 */
public final class WriteBehind implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WriteBehind.class);
  private static final int MAX_BATCH = 5_000;

  private final Database database;
  private final Object lock = new Object();
  private Map<String, Agent> agents = new LinkedHashMap<>();
  private List<AgentEvent> events = new ArrayList<>();
  private Map<String, RolloutAgentRow> rolloutAgents = new LinkedHashMap<>();
  /** Completes with the keys of the rows the store refused (an agent's uid, a rollout row's key). */
  private CompletableFuture<Set<String>> nextBatch = new CompletableFuture<>();
  private boolean running = true;
  private final Thread writer;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong rowsWritten = new AtomicLong();
  private final AtomicLong writeNanos = new AtomicLong();
  private final AtomicLong rowsRefused = new AtomicLong();

  public WriteBehind(Database database) {
    this.database = database;
    this.writer = new Thread(this::run, "store-writer");
    writer.setDaemon(true);
    writer.start();
  }

  public CompletableFuture<Void> agent(Agent agent) {
    return stored(agent.uid(), enqueue(() -> agents.put(agent.uid(), agent)));
  }

  public CompletableFuture<Void> event(AgentEvent event) {
    return stored(event.uid(), enqueue(() -> events.add(event)));
  }

  public CompletableFuture<Void> rolloutAgent(RolloutAgentRow row) {
    return stored(row.key(), enqueue(() -> rolloutAgents.put(row.key(), row)));
  }

  /** Queues a change for the next batch and returns that batch's future. */
  private CompletableFuture<Set<String>> enqueue(Runnable change) {
    synchronized (lock) {
      if (!running) {
        return CompletableFuture.failedFuture(
            new IllegalStateException("the store is closing; nothing more is written"));
      }
      change.run();
      lock.notifyAll();
      return nextBatch;
    }
  }

  private static CompletableFuture<Void> stored(String key, CompletableFuture<Set<String>> batch) {
    return batch.thenCompose(refused -> refused.contains(key)
        ? CompletableFuture.failedFuture(new StoreException("the store refused the change of " + key, null))
        : CompletableFuture.completedFuture(null));
  }

  /** Changes waiting for the next batch. */
  public int queued() {
    synchronized (lock) {
      return agents.size() + events.size() + rolloutAgents.size();
    }
  }

  public long batches() {
    return batches.get();
  }

  public long rowsWritten() {
    return rowsWritten.get();
  }

  public long writeNanos() {
    return writeNanos.get();
  }

  /** Rows the store refused for their content: their changes were not acknowledged. */
  public long rowsRefused() {
    return rowsRefused.get();
  }

  /** Writes what is queued and stops the writer. */
  @Override
  public void close() {
    synchronized (lock) {
      running = false;
      lock.notifyAll();
    }
    try {
      writer.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    while (true) {
      Map<String, Agent> agentBatch;
      List<AgentEvent> eventBatch;
      Map<String, RolloutAgentRow> rolloutBatch;
      CompletableFuture<Set<String>> done;
      synchronized (lock) {
        while (running && agents.isEmpty() && events.isEmpty() && rolloutAgents.isEmpty()) {
          waitQuietly();
        }
        if (!running && agents.isEmpty() && events.isEmpty() && rolloutAgents.isEmpty()) {
          nextBatch.complete(Set.of());
          return;
        }
        agentBatch = agents;
        eventBatch = events;
        rolloutBatch = rolloutAgents;
        agents = new LinkedHashMap<>();
        events = new ArrayList<>();
        rolloutAgents = new LinkedHashMap<>();
        done = nextBatch;
        nextBatch = new CompletableFuture<>();
      }
      done.complete(writeUntilDone(agentBatch, eventBatch, rolloutBatch));
    }
  }

  private void waitQuietly() {
    try {
      lock.wait(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  /**
   * Keeps trying while the store is away, so an acknowledged change is never dropped. A batch the
   * store refuses for its content is written row by row instead: one bad row must not stop the
   * fleet's writes. Returns the keys of the rows that could not be written at all.
   */
  private Set<String> writeUntilDone(Map<String, Agent> agentBatch, List<AgentEvent> eventBatch,
      Map<String, RolloutAgentRow> rolloutBatch) {
    long backoffMillis = 100;
    int rows = agentBatch.size() + eventBatch.size() + rolloutBatch.size();
    while (true) {
      long start = System.nanoTime();
      try {
        write(agentBatch, eventBatch, rolloutBatch);
        writeNanos.addAndGet(System.nanoTime() - start);
        batches.incrementAndGet();
        rowsWritten.addAndGet(rows);
        return Set.of();
      } catch (SQLException | RuntimeException e) {
        if (!StoreException.mayPass(e)) {
          log.warn("store: a batch of {} changes was refused ({}); writing them one by one", rows, e.getMessage());
          return writeOneByOne(agentBatch, eventBatch, rolloutBatch);
        }
        log.error("store: cannot write {} changes, retrying in {} ms: {}", rows, backoffMillis, e.getMessage());
        try {
          Thread.sleep(backoffMillis);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          // Stopped before the batch is written: none of it may be acknowledged.
          Set<String> unwritten = new HashSet<>(agentBatch.keySet());
          eventBatch.forEach(event -> unwritten.add(event.uid()));
          unwritten.addAll(rolloutBatch.keySet());
          return unwritten;
        }
        backoffMillis = Math.min(backoffMillis * 2, 5_000);
      }
    }
  }


  private Set<String> writeOneByOne(Map<String, Agent> agentBatch, List<AgentEvent> eventBatch,
      Map<String, RolloutAgentRow> rolloutBatch) {
    Set<String> refused = new HashSet<>();
    agentBatch.forEach((uid, agent) -> writeOne(uid, refused, Map.of(uid, agent), List.of(), Map.of()));
    eventBatch.forEach(event -> writeOne(event.uid(), refused, Map.of(), List.of(event), Map.of()));
    rolloutBatch.forEach((key, row) -> writeOne(key, refused, Map.of(), List.of(), Map.of(key, row)));
    return refused;
  }

  private void writeOne(String key, Set<String> refused, Map<String, Agent> agent, List<AgentEvent> event,
      Map<String, RolloutAgentRow> rollout) {
    try {
      write(agent, event, rollout);
      rowsWritten.incrementAndGet();
    } catch (SQLException | RuntimeException e) {
      refused.add(key);
      rowsRefused.incrementAndGet();
      log.error("store: a change of {} was refused and not acknowledged: {}", key, e.getMessage());
    }
  }

  private void write(Map<String, Agent> agentBatch, List<AgentEvent> eventBatch,
      Map<String, RolloutAgentRow> rolloutBatch) throws SQLException {
    try (Connection connection = database.connection()) {
      connection.setAutoCommit(false);
      if (!agentBatch.isEmpty()) {
        try (PreparedStatement upsert = connection.prepareStatement(AgentRows.upsert(database.dialect()))) {
          int n = 0;
          for (Agent agent : agentBatch.values()) {
            AgentRows.bind(upsert, agent.snapshot());
            upsert.addBatch();
            if (++n % MAX_BATCH == 0) {
              upsert.executeBatch();
            }
          }
          upsert.executeBatch();
        }
      }
      if (!eventBatch.isEmpty()) {
        try (PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO agent_events (instance_uid, at, kind, detail) VALUES (?, ?, ?, ?)")) {
          for (AgentEvent event : eventBatch) {
            insert.setString(1, event.uid());
            insert.setLong(2, event.at());
            insert.setString(3, event.kind().name());
            insert.setString(4, ColumnText.fit(event.detail(), 2000));
            insert.addBatch();
          }
          insert.executeBatch();
        }
      }
      if (!rolloutBatch.isEmpty()) {
        try (PreparedStatement upsert = connection.prepareStatement(
            database.dialect().upsert("rollout_agents", RolloutAgentRow.COLUMNS, 2))) {
          for (RolloutAgentRow row : rolloutBatch.values()) {
            bind(upsert, row);
            upsert.addBatch();
          }
          upsert.executeBatch();
        }
      }
      database.commitDurably(connection);
    }
  }

  static void bind(PreparedStatement statement, RolloutAgentRow row) throws SQLException {
    statement.setLong(1, row.rolloutId());
    statement.setString(2, row.uid());
    statement.setInt(3, row.wave());
    statement.setString(4, row.state());
    statement.setString(5, row.previousConfig());
    if (row.previousVersion() == null) {
      statement.setNull(6, Types.INTEGER);
    } else {
      statement.setInt(6, row.previousVersion());
    }
    statement.setString(7, row.previousPackage());
    statement.setLong(8, row.since());
    statement.setString(9, ColumnText.fit(row.message(), 2000));
  }
}

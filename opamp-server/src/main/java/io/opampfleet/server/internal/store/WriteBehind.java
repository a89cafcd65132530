package io.opampfleet.server.internal.store;

import io.opampfleet.netty.Backoff;
import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.AgentEvent;
import io.opampfleet.server.internal.inventory.AgentSnapshot;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes agents' state, their events, package offers and rollout progress in batches, on its own thread, so event
 * loops never touch the disk. Each change returns the future of the batch that holds it: the
 * server answers an agent once what it reported is committed and on disk (the store forces each
 * batch, see {@link Database#commitDurably}). A change the store refuses fails its future. An agent's
 * row is written as it was when queued, with the events that led to it (a later report's state waits
 * for its own events); one queued twice before a batch is written once, as it was last queued. Batches fill to
 * {@value #MAX_BATCH} changes and are written in the order they filled. An idle writer takes the
 * first change at once; one that falls behind writes the batches waiting for it together, up to
 * {@value #MAX_TRANSACTION} changes a transaction (a group commit): forcing a transaction to disk
 * costs about the same whatever it holds (the store writes out every page it changed, and a wave's
 * random uids change most of them), so a wave's tens of thousands of rows are stored in a few
 * transactions rather than a dozen.
 */
public final class WriteBehind implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WriteBehind.class);
  private static final int MAX_BATCH = 5_000;
  private static final int MAX_TRANSACTION = 20_000;
  /**
   * Characters of events waiting (each counted with {@value #EVENT_OVERHEAD} more for the rest of it)
   * beyond which the server takes no more reports until the store catches up (see {@link #full}):
   * about 32 MB. Agents' rows and rollout rows are kept once however often they change, so they are
   * bounded by the fleet; what grows while the store is away is events.
   */
  static final long MAX_QUEUED_EVENT_CHARS = 16_000_000;
  private static final int EVENT_OVERHEAD = 64;
  /** Retries while the store is away: from 100 ms, doubling, to 5 s. */
  private static final Backoff RETRIES = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), 2, 0);
  /** The PostgreSQL channel on which a committed change of an agent's desired state is told, its uid as payload. */
  public static final String DESIRED_CHANNEL = "agent_desired";
  /** Likewise for the packages an agent is offered. */
  public static final String PACKAGES_CHANNEL = "agent_packages";
  /** Likewise for what an agent reports (and where it is connected). */
  public static final String REPORTED_CHANNEL = "agent_reported";

  private final Database database;
  private final int maxTransaction;
  private final String rolloutAgentsUpsert;
  private final String replica;
  private final Object lock = new Object();
  /** Batches waiting to be written, oldest first; only the last takes new changes. */
  private final Deque<Batch> queued = new ArrayDeque<>();
  /** The batch being written now; null between batches. */
  private Batch writing;
  private boolean running = true;
  private final Thread writer;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong rowsWritten = new AtomicLong();
  private final AtomicLong writeNanos = new AtomicLong();
  private final AtomicLong rowsRefused = new AtomicLong();
  private final EventBudget eventBudget = new EventBudget();
  private final AtomicLong eventsLimited = new AtomicLong();

  /**
   * @param replica the name of this server among those sharing the store: a rollout's progress is
   *     written only while this server drives it, so a driver that lost it cannot undo its successor's
   *     (see {@link #drivenHere})
   */
  public WriteBehind(Database database, String replica) {
    this(database, replica, MAX_TRANSACTION);
  }

  /** With at most {@code maxTransaction} changes a transaction (a benchmark compares). */
  public WriteBehind(Database database, String replica, int maxTransaction) {
    this.database = database;
    this.maxTransaction = maxTransaction;
    this.replica = replica;
    this.rolloutAgentsUpsert = database.dialect().upsert("rollout_agents", RolloutAgentRow.COLUMNS, 2);
    this.writer = new Thread(this::run, "store-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /** What the agent reports, as the server holding its connection knows it. */
  public CompletableFuture<Void> agent(Agent agent) {
    return agent(agent, List.of());
  }

  /**
   * What the agent reports, with the events that report made, committed in one transaction: a server
   * that reads the row after this one died finds the events only with the state they led to (an event
   * committed ahead of its row made the next server record the same change again).
   */
  public CompletableFuture<Void> agent(Agent agent, List<AgentEvent> events) {
    return stored(agent.uid(), enqueueRow(batch -> batch.agents, agent.uid(),
        waiting -> QueuedAgent.of(agent, waiting), admitted(events)));
  }

  /**
   * What the fleet wants of the agent (its desired config), as decided here, with the event that says
   * so, committed together; with PostgreSQL the other servers sharing the store are told at commit.
   */
  public CompletableFuture<Void> desired(Agent agent, AgentEvent event) {
    return stored(agent.uid(), enqueueRow(batch -> batch.desired, agent.uid(), waiting -> agent.snapshot(),
        admitted(List.of(event))));
  }

  /** What the fleet wants of the agent, decided again with nothing new to tell (an agent back from silence). */
  public CompletableFuture<Void> desired(Agent agent) {
    return stored(agent.uid(), enqueueRow(batch -> batch.desired, agent.uid(), waiting -> agent.snapshot(),
        List.of()));
  }

  /** Whether a desired state decided here for the agent is not in the store yet. */
  public boolean desiredUnwritten(String uid) {
    synchronized (lock) {
      return unwritten().anyMatch(batch -> batch.desired.containsKey(uid));
    }
  }

  /** Whether a package offer made here for the agent is not in the store yet. */
  public boolean offerUnwritten(String uid) {
    String prefix = uid + "/";
    synchronized (lock) {
      return unwritten().anyMatch(batch -> batch.offers.keySet().stream().anyMatch(key -> key.startsWith(prefix)));
    }
  }

  /** An event of an agent's history, unless the agent is past its events of this hour (see {@link EventBudget}). */
  public CompletableFuture<Void> event(AgentEvent event) {
    List<AgentEvent> kept = admitted(List.of(event));
    if (kept.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return stored(event.uid(), enqueue(batch -> false, batch -> batch.add(kept)));
  }

  /** The events the agents' budgets keep (see {@link EventBudget}), the last of an hour's in their place. */
  private List<AgentEvent> admitted(List<AgentEvent> events) {
    List<AgentEvent> kept = new ArrayList<>(events.size());
    for (AgentEvent event : events) {
      switch (eventBudget.admit(event.uid(), event.at())) {
        case KEEP -> kept.add(event);
        case LAST -> kept.add(new AgentEvent(event.uid(), event.at(), AgentEvent.Kind.EVENTS_LIMITED, "more than "
            + EventBudget.PER_HOUR + " events this hour: the rest of this hour's are not kept"));
        case DROP -> eventsLimited.incrementAndGet();
      }
    }
    return kept;
  }

  /** A package version offered to an agent (its other versions of that package no longer are). */
  public CompletableFuture<Void> offer(PackageRepository.Offered offer) {
    String key = offer.uid() + "/" + offer.name();
    return stored(key, enqueueRow(batch -> batch.offers, key, waiting -> offer, List.of()));
  }

  public CompletableFuture<Void> rolloutAgent(RolloutAgentRow row) {
    return stored(row.key(), enqueueRow(batch -> batch.rolloutAgents, row.key(), waiting -> row,
        List.of()));
  }

  /**
   * Completes once every change queued so far is written or refused. Batches are written in order, so
   * this is the last batch's end, not that of the latest change: a change joins an earlier batch that
   * holds its row, and one step's changes would then seem stored before the others of the same step.
   */
  public CompletableFuture<Void> writtenSoFar() {
    synchronized (lock) {
      Batch last = queued.isEmpty() ? writing : queued.peekLast();
      return last == null ? CompletableFuture.completedFuture(null) : last.done.thenApply(refused -> null);
    }
  }

  /**
   * An agent's reported state as it was queued, taken under the queue's lock so that a later change
   * queued has the later state: with the connection it came over, and whether it is news to the other
   * servers (one it replaces in a waiting batch may have been).
   */
  private record QueuedAgent(Agent agent, AgentSnapshot snapshot, AgentConnection connection, boolean news) {
    static QueuedAgent of(Agent agent, QueuedAgent waiting) {
      return new QueuedAgent(agent, agent.snapshot(), agent.connection(),
          agent.takeNews() || (waiting != null && waiting.news()));
    }

    /** Connected here as the row is written: a link handed over to another server since is not undone. */
    boolean heldHere() {
      return connection != null && agent.linkedTo(connection);
    }
  }

  /** Changes written together, in one transaction. */
  private static final class Batch {
    /** Completes with the keys of the rows the store refused (an agent's uid, a rollout row's key). */
    final CompletableFuture<Set<String>> done = new CompletableFuture<>();
    final Map<String, QueuedAgent> agents = new LinkedHashMap<>();
    /** What the fleet wants of each agent, as it was queued. */
    final Map<String, AgentSnapshot> desired = new LinkedHashMap<>();
    final List<AgentEvent> events = new ArrayList<>();
    long eventChars;
    final Map<String, RolloutAgentRow> rolloutAgents = new LinkedHashMap<>();
    final Map<String, PackageRepository.Offered> offers = new LinkedHashMap<>();
    /** The batches a joined one was made of; empty for one that filled itself. */
    List<Batch> parts = List.of();

    void add(List<AgentEvent> kept) {
      for (AgentEvent event : kept) {
        events.add(event);
        eventChars += EVENT_OVERHEAD + (event.detail() == null ? 0 : event.detail().length());
      }
    }

    int size() {
      return agents.size() + desired.size() + events.size() + rolloutAgents.size() + offers.size();
    }

    /** The key of every change in it, the way futures find their own. */
    Set<String> keys() {
      Set<String> keys = new HashSet<>(agents.keySet());
      keys.addAll(desired.keySet());
      events.forEach(event -> keys.add(event.uid()));
      keys.addAll(rolloutAgents.keySet());
      keys.addAll(offers.keySet());
      return keys;
    }

    /** Each change alone, with its key: a batch the store refuses is written this way. */
    List<Map.Entry<String, Batch>> singles() {
      List<Map.Entry<String, Batch>> singles = new ArrayList<>();
      agents.forEach((uid, agent) -> singles.add(Map.entry(uid, single(b -> b.agents.put(uid, agent)))));
      desired.forEach((uid, wanted) -> singles.add(Map.entry(uid, single(b -> b.desired.put(uid, wanted)))));
      events.forEach(event -> singles.add(Map.entry(event.uid(), single(b -> b.events.add(event)))));
      rolloutAgents.forEach((key, row) -> singles.add(Map.entry(key, single(b -> b.rolloutAgents.put(key, row)))));
      offers.forEach((key, offer) -> singles.add(Map.entry(key, single(b -> b.offers.put(key, offer)))));
      return singles;
    }

    /**
     * Waiting batches as one, in order. Each row is in one of them only: a change joins the waiting
     * batch that already holds its row.
     */
    static Batch joined(List<Batch> batches) {
      Batch joined = new Batch();
      for (Batch batch : batches) {
        joined.agents.putAll(batch.agents);
        joined.desired.putAll(batch.desired);
        joined.events.addAll(batch.events);
        joined.eventChars += batch.eventChars;
        joined.rolloutAgents.putAll(batch.rolloutAgents);
        joined.offers.putAll(batch.offers);
      }
      joined.parts = List.copyOf(batches);
      return joined;
    }

    private static Batch single(java.util.function.Consumer<Batch> change) {
      Batch batch = new Batch();
      change.accept(batch);
      return batch;
    }
  }

  /**
   * Queues a change and returns the future of the batch that holds it: a waiting batch that already
   * {@code holds} a change of the same row takes this one in its place; else the last batch, or a
   * new one when that is full.
   */
  private CompletableFuture<Set<String>> enqueue(Predicate<Batch> holds, Consumer<Batch> change) {
    synchronized (lock) {
      if (!running) {
        return CompletableFuture.failedFuture(
            new IllegalStateException("the store is closing; nothing more is written"));
      }
      Batch into = queued.stream().filter(holds).findFirst().orElse(null);
      if (into == null) {
        into = queued.peekLast();
        if (into == null || into.size() >= MAX_BATCH) {
          into = new Batch();
          queued.addLast(into);
        }
      }
      change.accept(into);
      lock.notifyAll();
      return into.done;
    }
  }

  /**
   * Queues the change of one row, kept once per batch under its key, with events, which go in the
   * batch that writes the row; the row is taken as it is queued, from the one it replaces there (or null).
   */
  private <T> CompletableFuture<Set<String>> enqueueRow(Function<Batch, Map<String, T>> rows, String key,
      UnaryOperator<T> row, List<AgentEvent> events) {
    return enqueue(batch -> rows.apply(batch).containsKey(key), batch -> {
      rows.apply(batch).compute(key, (k, waiting) -> row.apply(waiting));
      batch.add(events);
    });
  }

  /** The batches not written yet, the one being written first. */
  private Stream<Batch> unwritten() {
    return Stream.concat(Stream.ofNullable(writing), queued.stream());
  }

  private static CompletableFuture<Void> stored(String key, CompletableFuture<Set<String>> batch) {
    return batch.thenCompose(refused -> refused.contains(key)
        ? CompletableFuture.failedFuture(new StoreException("the store refused the change of " + key, null))
        : CompletableFuture.completedFuture(null));
  }

  /**
   * Whether the store is so far behind that new reports should wait: their events would only grow the
   * queue. The batch being written counts too: it may hold several that waited.
   */
  public boolean full() {
    synchronized (lock) {
      return unwritten().mapToLong(batch -> batch.eventChars).sum() >= MAX_QUEUED_EVENT_CHARS;
    }
  }

  /** Changes waiting for the next batch. */
  public int queued() {
    synchronized (lock) {
      return queued.stream().mapToInt(Batch::size).sum();
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

  /** Agents' events not kept, their agents past their events of the hour. */
  public long eventsLimited() {
    return eventsLimited.get();
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
      Batch batch;
      synchronized (lock) {
        while (running && queued.isEmpty()) {
          waitQuietly();
        }
        if (queued.isEmpty()) {
          return;
        }
        List<Batch> taken = new ArrayList<>();
        int changes = 0;
        while (!queued.isEmpty() && (taken.isEmpty() || changes + queued.peekFirst().size() <= maxTransaction)) {
          changes += queued.peekFirst().size();
          taken.add(queued.pollFirst());
        }
        batch = taken.size() == 1 ? taken.get(0) : Batch.joined(taken);
        writing = batch;
      }
      Set<String> refused = writeUntilDone(batch);
      synchronized (lock) {
        writing = null;
      }
      // The batches a joined one was made of, and the joined one too: writtenSoFar hands out the batch
      // being written.
      batch.parts.forEach(part -> part.done.complete(refused));
      batch.done.complete(refused);
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
  private Set<String> writeUntilDone(Batch batch) {
    int rows = batch.size();
    for (int failures = 1; ; failures++) {
      long start = System.nanoTime();
      try {
        write(batch);
        writeNanos.addAndGet(System.nanoTime() - start);
        batches.incrementAndGet();
        rowsWritten.addAndGet(rows);
        return Set.of();
      } catch (SQLException | RuntimeException | Error e) {
        if (!mayPass(e)) {
          if (!batch.parts.isEmpty()) {
            // Only the batch that holds the bad row is then written one change at a time.
            log.warn("store: {} changes written together were refused ({}); writing the {} batches they came"
                + " from one after another", rows, ColumnText.fit(e.getMessage(), 500), batch.parts.size());
            Set<String> refused = new HashSet<>();
            batch.parts.forEach(part -> refused.addAll(writeUntilDone(part)));
            return refused;
          }
          log.warn("store: a batch of {} changes was refused ({}); writing them one by one", rows,
              ColumnText.fit(e.getMessage(), 500));
          return writeOneByOne(batch);
        }
        long backoffMillis = RETRIES.delay(failures).toMillis();
        // The driver's message may quote the whole statement with its values: cut.
        log.error("store: cannot write {} changes, retrying in {} ms: {}", rows, backoffMillis,
            ColumnText.fit(e.getMessage(), 500));
        if (!pause(backoffMillis)) {
          // Stopped before the batch is written: none of it may be acknowledged.
          return batch.keys();
        }
      }
    }
  }


  private Set<String> writeOneByOne(Batch batch) {
    Set<String> refused = new HashSet<>();
    batch.singles().forEach(single -> writeOne(single.getKey(), refused, single.getValue()));
    return refused;
  }

  /** One change alone: refused for its content, or written once the store is back if it went away. */
  private void writeOne(String key, Set<String> refused, Batch single) {
    for (int failures = 1; ; failures++) {
      try {
        write(single);
        rowsWritten.incrementAndGet();
        return;
      } catch (SQLException | RuntimeException | Error e) {
        if (!mayPass(e) || !pause(RETRIES.delay(failures).toMillis())) {
          refused.add(key);
          rowsRefused.incrementAndGet();
          log.error("store: a change of {} was refused and not acknowledged: {}", key,
              ColumnText.fit(e.getMessage(), 500));
          return;
        }
      }
    }
  }

  /**
   * Whether a failed write may succeed when tried again: an outage, and an error too (out of memory,
   * say): a writer that died with a batch in hand would leave every change after it unwritten and every
   * agent waiting on it unanswered.
   */
  private static boolean mayPass(Throwable e) {
    return e instanceof Error || StoreException.mayPass(e);
  }

  /** Waits before a retry; false when the writer is being stopped. */
  private static boolean pause(long millis) {
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void write(Batch batch) throws SQLException {
    try (Connection connection = database.connection()) {
      connection.setAutoCommit(false);
      List<Written> stored = new ArrayList<>();
      if (!batch.agents.isEmpty()) {
        try (PreparedStatement upsert = connection.prepareStatement(AgentRows.upsertReported(database.dialect()));
             PreparedStatement parts = connection.prepareStatement(AgentRows.upsertPart(database.dialect()))) {
          List<Written> written = new ArrayList<>();
          PartBodies bodies = new PartBodies();
          for (QueuedAgent queued : batch.agents.values()) {
            Agent agent = queued.agent();
            // What the store holds of it: the batches before this one are written.
            Agent.Stored before = agent.lastStored();
            AgentSnapshot snapshot = queued.snapshot();
            AgentRows.bindReported(upsert, snapshot, replica, queued.heldHere());
            upsert.addBatch();
            AgentRows.addChangedParts(parts, bodies, snapshot, before.snapshot(), replica);
            written.add(new Written(agent, before, snapshot));
          }
          int[] rows = upsert.executeBatch();
          bodies.write(connection, database.dialect());
          parts.executeBatch();
          for (int i = 0; i < rows.length; i++) {
            // A row another server holds is left alone, its parts too (PostgreSQL): nothing of it is stored.
            if (rows[i] != 0) {
              stored.add(written.get(i));
            }
          }
        }
        // Heartbeats change only the time of the last message: the others are told of other news only.
        Signals.tell(database.dialect(), connection, REPORTED_CHANNEL,
            batch.agents.values().stream().filter(QueuedAgent::news).map(queued -> queued.agent().uid()).toList());
      }
      if (!batch.desired.isEmpty()) {
        writeDesired(connection, batch.desired.values());
      }
      List<AgentEvent> eventBatch = batch.events;
      Map<String, RolloutAgentRow> rolloutBatch = batch.rolloutAgents;
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
        Set<Long> driven = drivenHere(connection, rolloutBatch.values());
        try (PreparedStatement upsert = connection.prepareStatement(rolloutAgentsUpsert)) {
          for (RolloutAgentRow row : rolloutBatch.values()) {
            if (driven.contains(row.rolloutId())) {
              bind(upsert, row);
              upsert.addBatch();
            }
          }
          upsert.executeBatch();
        }
      }
      if (!batch.offers.isEmpty()) {
        try (PreparedStatement upsert = connection.prepareStatement(
            database.dialect().upsert("agent_packages", List.of("instance_uid", "name", "version"), 2))) {
          for (PackageRepository.Offered offer : batch.offers.values()) {
            upsert.setString(1, offer.uid());
            upsert.setString(2, offer.name());
            upsert.setString(3, offer.version());
            upsert.addBatch();
          }
          upsert.executeBatch();
        }
        Signals.tell(database.dialect(), connection, PACKAGES_CHANNEL,
            batch.offers.values().stream().map(PackageRepository.Offered::uid).distinct().toList());
      }
      database.commitDurably(connection);
      stored.forEach(row -> row.agent.stored(row.before, row.snapshot));
    }
  }

  /** An agent's row in a write: the snapshot written, and what the store held as the write began. */
  private record Written(Agent agent, Agent.Stored before, AgentSnapshot snapshot) {}

  /**
   * Agents' desired state. With PostgreSQL every server sharing the store hears of each change when
   * the transaction commits.
   */
  private void writeDesired(Connection connection, Collection<AgentSnapshot> agents) throws SQLException {
    // The store's clock, as the agents' last messages are: readers compare the two.
    long now = database.dialect().nowMillis(connection);
    try (PreparedStatement upsert = connection.prepareStatement(AgentRows.upsertDesired(database.dialect()))) {
      for (AgentSnapshot agent : agents) {
        AgentRows.bindDesired(upsert, agent, now);
        upsert.addBatch();
      }
      upsert.executeBatch();
    }
    Signals.tell(database.dialect(), connection, DESIRED_CHANNEL, agents.stream().map(AgentSnapshot::uid).toList());
  }

  /**
   * Those of the rows' rollouts this server drives, locked against a claim by another server until
   * this transaction ends: a claim waits for the progress written here, or this server sees it lost
   * the rollout and writes none. With the embedded store this server drives them all.
   */
  private Set<Long> drivenHere(Connection connection, Collection<RolloutAgentRow> rows) throws SQLException {
    Set<Long> ids = new HashSet<>();
    rows.forEach(row -> ids.add(row.rolloutId()));
    if (database.dialect() != Dialect.POSTGRESQL) {
      return ids;
    }
    Set<Long> driven = new HashSet<>();
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT id FROM rollouts WHERE id = ANY(?) AND driver = ? FOR SHARE")) {
      select.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
      select.setString(2, replica);
      try (ResultSet found = select.executeQuery()) {
        while (found.next()) {
          driven.add(found.getLong(1));
        }
      }
    }
    return driven;
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
    statement.setBoolean(10, row.staleFailure());
  }
}

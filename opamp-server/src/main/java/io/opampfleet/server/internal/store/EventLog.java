package io.opampfleet.server.internal.store;

import io.opampfleet.server.internal.inventory.AgentEvent;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/** Reads agents' event history (written through {@link WriteBehind}) and drops what is past retention. */
public final class EventLog {
  private static final int PRUNED_AT_ONCE = 10_000;
  /** Events timed later than this past the clock come from a server whose clock runs ahead. */
  private static final long AHEAD = Duration.ofMinutes(1).toMillis();

  private final Sql sql;
  private final LongSupplier clock;
  private final int prunedAtOnce;

  /** {@code clock}: this server's, in epoch ms, which the events' times are read against. */
  public EventLog(Database database, LongSupplier clock) {
    this(database, clock, PRUNED_AT_ONCE);
  }

  EventLog(Database database, LongSupplier clock, int prunedAtOnce) {
    this.sql = new Sql(database);
    this.clock = clock;
    this.prunedAtOnce = prunedAtOnce;
  }

  /** The agent's latest events, newest first. */
  public List<AgentEvent> recent(String uid, int limit) {
    return sql.query("SELECT instance_uid, at, kind, detail FROM agent_events WHERE instance_uid = ?"
        + " ORDER BY at DESC, id DESC FETCH FIRST " + limit + " ROWS ONLY",
        row -> new AgentEvent(row.getString(1), row.getLong(2), AgentEvent.Kind.valueOf(row.getString(3)),
            row.getString(4)), uid);
  }

  /**
   * Deletes events older than {@code before} (epoch ms) and says how many. They are walked by id, which
   * grows as events are stored, a chunk at a time, up to the first chunk that holds none to delete and
   * some of the present time: what follows was stored later, and an index by time, which every event
   * stored would pay for, is not needed. Events out of their time's order neither stop the walk (those of
   * a server whose clock ran ahead, kept at the front until their time) nor are deleted early (held
   * while the store was away); an old one stored after a chunk of newer ones goes when they do.
   */
  public int prune(long before) {
    long ahead = clock.getAsLong() + AHEAD;
    int pruned = 0;
    long after = Long.MIN_VALUE;
    while (true) {
      List<long[]> chunk = sql.query("SELECT id, at FROM agent_events WHERE id > ? ORDER BY id FETCH FIRST "
          + prunedAtOnce + " ROWS ONLY", row -> new long[] {row.getLong(1), row.getLong(2)}, after);
      long lastPast = Long.MIN_VALUE;
      boolean present = false;
      for (long[] event : chunk) {
        if (event[1] < before) {
          lastPast = event[0];
        } else if (event[1] <= ahead) {
          present = true;
        }
      }
      if (lastPast != Long.MIN_VALUE) {
        // By time too: the chunk's events within retention stay.
        pruned += sql.update("DELETE FROM agent_events WHERE id > ? AND id <= ? AND at < ?", after, lastPast, before);
      } else if (present) {
        return pruned;
      }
      if (chunk.size() < prunedAtOnce) {
        return pruned;
      }
      after = chunk.get(chunk.size() - 1)[0];
    }
  }
}

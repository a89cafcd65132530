package io.opampfleet.server.internal.store;

import io.opampfleet.server.internal.inventory.AgentEvent;
import java.util.List;

/** Reads agents' event history (written through {@link WriteBehind}) and drops what is past retention. */
public final class EventLog {
  private static final int PRUNED_AT_ONCE = 10_000;

  private final Sql sql;
  private final int prunedAtOnce;

  public EventLog(Database database) {
    this(database, PRUNED_AT_ONCE);
  }

  EventLog(Database database, int prunedAtOnce) {
    this.sql = new Sql(database);
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
   * Deletes events older than {@code before} (epoch ms) and says how many. They are walked oldest first
   * by id, which grows as events are stored (seconds after their time at most), up to the first one
   * kept: an index by time, which every event stored would pay for, is not needed. An old event stored
   * after a newer one goes once that one does.
   */
  public int prune(long before) {
    int pruned = 0;
    while (true) {
      List<long[]> oldest = sql.query("SELECT id, at FROM agent_events ORDER BY id FETCH FIRST " + prunedAtOnce
          + " ROWS ONLY", row -> new long[] {row.getLong(1), row.getLong(2)});
      int past = 0;
      while (past < oldest.size() && oldest.get(past)[1] < before) {
        past++;
      }
      if (past == 0) {
        return pruned;
      }
      // By time too: on a store servers share, an event of a lower id may be committed after this read.
      int deleted = sql.update("DELETE FROM agent_events WHERE id <= ? AND at < ?", oldest.get(past - 1)[0], before);
      pruned += deleted;
      if (past < oldest.size() || deleted == 0) {
        return pruned;
      }
    }
  }
}

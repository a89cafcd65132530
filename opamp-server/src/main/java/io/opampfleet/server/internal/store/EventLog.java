package io.opampfleet.server.internal.store;

import io.opampfleet.server.internal.inventory.AgentEvent;
import java.util.List;

/** Reads agents' event history (written through {@link WriteBehind}) and drops what is past retention. */
public final class EventLog {
  private final Sql sql;

  public EventLog(Database database) {
    this.sql = new Sql(database);
  }

  /** The agent's latest events, newest first. */
  public List<AgentEvent> recent(String uid, int limit) {
    return sql.query("SELECT instance_uid, at, kind, detail FROM agent_events WHERE instance_uid = ?"
        + " ORDER BY at DESC, id DESC FETCH FIRST " + limit + " ROWS ONLY",
        row -> new AgentEvent(row.getString(1), row.getLong(2), AgentEvent.Kind.valueOf(row.getString(3)),
            row.getString(4)), uid);
  }

  /** Deletes events older than {@code before} (epoch ms) and says how many. */
  public int prune(long before) {
    return sql.update("DELETE FROM agent_events WHERE at < ?", before);
  }
}

package io.opampfleet.server.internal.store;

import java.util.ArrayList;
import java.util.List;

/** The record of changes made through the admin API: appended to, read with filters, pruned past retention. */
public final class AuditLog {
  /** One change. {@code request}, {@code before} and {@code after} are JSON texts; null for none. */
  public record Entry(long id, long at, String actor, String role, String action, String object, int status,
      String request, String before, String after) {}

  /**
   * What to read: each part empty or zero for any. {@code object} matches an object's path or any
   * path below it; {@code until} is exclusive.
   */
  public record Filter(String actor, String object, long since, long until, int limit) {}

  private final Sql sql;

  public AuditLog(Database database) {
    this.sql = new Sql(database);
  }

  public void append(Entry entry) {
    sql.update("INSERT INTO audit_log (at, actor, role, action, object, status, request, before_json, after_json)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", entry.at(), entry.actor(), entry.role(), entry.action(),
        entry.object(), entry.status(), entry.request(), entry.before(), entry.after());
  }

  /** The entries that pass the filter, newest first. */
  public List<Entry> find(Filter filter) {
    StringBuilder where = new StringBuilder(" WHERE 1 = 1");
    List<Object> parameters = new ArrayList<>();
    if (!filter.actor().isEmpty()) {
      where.append(" AND actor = ?");
      parameters.add(filter.actor());
    }
    if (!filter.object().isEmpty()) {
      where.append(" AND (object = ? OR object LIKE ? ESCAPE '!')");
      parameters.add(filter.object());
      parameters.add(filter.object().replace("!", "!!").replace("%", "!%").replace("_", "!_") + "/%");
    }
    if (filter.since() > 0) {
      where.append(" AND at >= ?");
      parameters.add(filter.since());
    }
    if (filter.until() > 0) {
      where.append(" AND at < ?");
      parameters.add(filter.until());
    }
    // Of one actor, ordered by the actor too (the same order): H2 then reads the page from the index on
    // (actor, at) backwards, where by time alone it sorted all of that actor's entries (bench/README.md).
    String newestFirst = (filter.actor().isEmpty() ? "" : "actor DESC, ") + "at DESC, id DESC";
    return sql.query("SELECT id, at, actor, role, action, object, status, request, before_json, after_json"
        + " FROM audit_log" + where + " ORDER BY " + newestFirst + " FETCH FIRST " + filter.limit() + " ROWS ONLY",
        row -> new Entry(row.getLong(1), row.getLong(2), row.getString(3), row.getString(4), row.getString(5),
            row.getString(6), row.getInt(7), row.getString(8), row.getString(9), row.getString(10)),
        parameters.toArray());
  }

  /** Deletes entries older than {@code before} (epoch ms) and says how many. */
  public int prune(long before) {
    return sql.update("DELETE FROM audit_log WHERE at < ?", before);
  }
}

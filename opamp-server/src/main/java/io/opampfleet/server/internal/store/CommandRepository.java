package io.opampfleet.server.internal.store;

import java.sql.PreparedStatement;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One-off commands for agents held by another server sharing the store: asked here, told on a
 * channel at commit, carried out once by whichever server claims each (deletes its row) first.
 */
public final class CommandRepository {
  /** The PostgreSQL channel on which a new command is told, its agent's uid as payload. */
  public static final String CHANNEL = "agent_commands";

  /** What an agent may be asked to do by a server that does not hold it. */
  public enum Kind { RESTART, ROTATE_CERTIFICATE }

  public record Command(long id, String uid, Kind kind, String askedBy, long askedAt) {}

  private final Sql sql;

  public CommandRepository(Database database) {
    this.sql = new Sql(database);
  }

  public void ask(String uid, Kind kind, String askedBy, long now) {
    sql.transaction(connection -> {
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO agent_commands (instance_uid, kind, asked_by, asked_at) VALUES (?, ?, ?, ?)")) {
        insert.setString(1, uid);
        insert.setString(2, kind.name());
        insert.setString(3, ColumnText.fit(askedBy, 128));
        insert.setLong(4, now);
        insert.executeUpdate();
      }
      Signals.tell(sql.dialect(), connection, CHANNEL, List.of(uid));
    });
  }

  /** The commands waiting for these agents, oldest first. */
  public List<Command> waiting(Collection<String> uids) {
    if (uids.isEmpty()) {
      return List.of();
    }
    String marks = Sql.placeholders(uids.size());
    return sql.query("SELECT id, instance_uid, kind, asked_by, asked_at FROM agent_commands WHERE instance_uid IN ("
        + marks + ") ORDER BY id", row -> new Command(row.getLong(1), row.getString(2), Kind.valueOf(row.getString(3)),
        row.getString(4), row.getLong(5)), uids.toArray());
  }

  /** The agents that have commands waiting. */
  public Set<String> agentsWaiting() {
    return new HashSet<>(sql.query("SELECT DISTINCT instance_uid FROM agent_commands", row -> row.getString(1)));
  }

  /** Takes the command for this server to carry out; false when another server took it first. */
  public boolean claim(long id) {
    return sql.update("DELETE FROM agent_commands WHERE id = ?", id) == 1;
  }

  /** Forgets commands asked before {@code before}: their agent did not come back to take them. */
  public int expire(long before) {
    return sql.update("DELETE FROM agent_commands WHERE asked_at < ?", before);
  }
}

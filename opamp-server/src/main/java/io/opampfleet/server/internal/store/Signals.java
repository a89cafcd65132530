package io.opampfleet.server.internal.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Tells the servers sharing a PostgreSQL store which agents a transaction changed: one signal per
 * uid on a channel, delivered when it commits (NOTIFY). A signal is only a hint to read the store.
 */
public final class Signals {
  private Signals() {}

  /** Nothing with H2: one server alone has nobody to tell. */
  public static void tell(Dialect dialect, Connection connection, String channel, List<String> uids)
      throws SQLException {
    if (dialect != Dialect.POSTGRESQL || uids.isEmpty()) {
      return;
    }
    try (PreparedStatement notify = connection.prepareStatement(
        "SELECT pg_notify(?, uid) FROM unnest(?::text[]) AS uid")) {
      notify.setString(1, channel);
      notify.setArray(2, connection.createArrayOf("text", uids.toArray()));
      notify.execute();
    }
  }
}

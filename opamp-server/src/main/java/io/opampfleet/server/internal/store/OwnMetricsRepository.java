package io.opampfleet.server.internal.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Optional;

/** Agents' own metrics in the shared store: the latest figures of each, and its window as bytes. */
public final class OwnMetricsRepository {
  private static final List<String> COLUMNS = List.of("uid", "at", "cpu_percent", "rss_bytes", "accepted_per_s",
      "sent_per_s", "dropping_until", "queue_filling", "window_state");

  /** One agent's row; NaN figures are stored as NULL. The window is left out of {@link #latest()}. */
  public record Row(String uid, long at, double cpuPercent, double rssBytes, double acceptedPerSecond,
      double sentPerSecond, long droppingUntil, boolean queueFilling, byte[] window) {}

  private final Database database;
  private final Sql sql;

  public OwnMetricsRepository(Database database) {
    this.database = database;
    this.sql = new Sql(database);
  }

  public void write(List<Row> rows) {
    if (rows.isEmpty()) {
      return;
    }
    try (Connection connection = database.connection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement upsert = connection.prepareStatement(database.dialect().upsert("agent_own_metrics",
          COLUMNS, 1))) {
        for (Row row : rows) {
          upsert.setString(1, row.uid());
          upsert.setLong(2, row.at());
          figure(upsert, 3, row.cpuPercent());
          figure(upsert, 4, row.rssBytes());
          figure(upsert, 5, row.acceptedPerSecond());
          figure(upsert, 6, row.sentPerSecond());
          upsert.setLong(7, row.droppingUntil());
          upsert.setBoolean(8, row.queueFilling());
          upsert.setBytes(9, row.window());
          upsert.addBatch();
        }
        upsert.executeBatch();
      }
      connection.commit();
    } catch (SQLException e) {
      throw new StoreException("cannot store agents' own metrics: " + e.getMessage(), e);
    }
  }

  /** Every agent's latest figures, without their windows. */
  public List<Row> latest() {
    return sql.query("SELECT uid, at, cpu_percent, rss_bytes, accepted_per_s, sent_per_s, dropping_until,"
        + " queue_filling FROM agent_own_metrics", row -> new Row(row.getString(1), row.getLong(2), figure(row, 3),
        figure(row, 4), figure(row, 5), figure(row, 6), row.getLong(7), row.getBoolean(8), null));
  }

  /** Forgets agents that sent nothing since {@code before}: each window is bounded, the number of agents is not. */
  public int forgetBefore(long before) {
    return sql.update("DELETE FROM agent_own_metrics WHERE at < ?", before);
  }

  public Optional<byte[]> window(String uid) {
    return sql.query("SELECT window_state FROM agent_own_metrics WHERE uid = ?", row -> row.getBytes(1), uid)
        .stream().findFirst();
  }

  private static void figure(PreparedStatement statement, int index, double value) throws SQLException {
    if (Double.isFinite(value)) {
      statement.setDouble(index, value);
    } else {
      statement.setNull(index, Types.DOUBLE);
    }
  }

  private static double figure(ResultSet row, int index) throws SQLException {
    double value = row.getDouble(index);
    return row.wasNull() ? Double.NaN : value;
  }
}

package io.opampfleet.server.internal.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;

/** The one place the two stores' SQL differs: insert-or-update and insert-if-absent by primary key, and the clock. */
public enum Dialect {
  H2, POSTGRESQL;

  /**
   * The store's clock in epoch milliseconds, so that servers sharing it judge each other's leases by
   * one clock; H2 serves one server, whose clock it is.
   */
  public long nowMillis(Connection connection) throws SQLException {
    if (this == H2) {
      return System.currentTimeMillis();
    }
    try (Statement statement = connection.createStatement();
         ResultSet now = statement.executeQuery("SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint")) {
      now.next();
      return now.getLong(1);
    }
  }

  /** An upsert of all {@code columns}, the first {@code keys} of them being the primary key. */
  public String upsert(String table, List<String> columns, int keys) {
    return upsert(table, columns, keys, null);
  }

  /**
   * An upsert that, on PostgreSQL, leaves an existing row alone unless {@code condition} holds (it
   * may name the row as the table and the new values as EXCLUDED). H2 serves one server alone,
   * which has no other writer to yield to: it always updates.
   */
  public String upsert(String table, List<String> columns, int keys, String condition) {
    String names = String.join(", ", columns);
    String marks = columns.stream().map(c -> "?").collect(Collectors.joining(", "));
    List<String> keyColumns = columns.subList(0, keys);
    if (this == H2) {
      return "MERGE INTO " + table + " (" + names + ") KEY (" + String.join(", ", keyColumns) + ") VALUES (" + marks + ")";
    }
    String updates = columns.subList(keys, columns.size()).stream()
        .map(c -> c + " = EXCLUDED." + c).collect(Collectors.joining(", "));
    return "INSERT INTO " + table + " (" + names + ") VALUES (" + marks + ") ON CONFLICT ("
        + String.join(", ", keyColumns) + ") DO UPDATE SET " + updates + (condition == null ? "" : " WHERE " + condition);
  }

  /**
   * An insert of a row another writer may have inserted meanwhile, the first {@code keys} of {@code
   * columns} being the primary key: on PostgreSQL a row already there is left alone (and not locked);
   * H2, where only this server writes, writes it again, so the caller's rows must be the same whoever
   * writes them.
   */
  public String insertIfAbsent(String table, List<String> columns, int keys) {
    if (this == H2) {
      return upsert(table, columns, keys);
    }
    return "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES ("
        + Sql.placeholders(columns.size()) + ") ON CONFLICT ("
        + String.join(", ", columns.subList(0, keys)) + ") DO NOTHING";
  }
}

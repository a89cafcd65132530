package io.opampfleet.server.internal.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Small synchronous statements for the admin side, where one request makes one or two of them. */
final class Sql {
  interface RowReader<T> {
    T read(ResultSet row) throws SQLException;
  }

  private final Database database;

  Sql(Database database) {
    this.database = database;
  }

  Dialect dialect() {
    return database.dialect();
  }

  <T> List<T> query(String sql, RowReader<T> reader, Object... parameters) {
    try (Connection connection = database.connection();
         PreparedStatement statement = prepare(connection, sql, parameters);
         ResultSet rows = statement.executeQuery()) {
      List<T> results = new ArrayList<>();
      while (rows.next()) {
        results.add(reader.read(rows));
      }
      return results;
    } catch (SQLException e) {
      throw new StoreException("store query failed: " + e.getMessage(), e);
    }
  }

  int update(String sql, Object... parameters) {
    return updateAndTell(null, sql, parameters);
  }

  /**
   * An update that, when it changes a row, tells the servers sharing the store on {@code channel}
   * (null: nobody) as it commits: a change each server keeps a copy of.
   */
  int updateAndTell(String channel, String sql, Object... parameters) {
    int[] changed = new int[1];
    transaction(connection -> {
      try (PreparedStatement statement = prepare(connection, sql, parameters)) {
        changed[0] = statement.executeUpdate();
      }
      if (channel != null && changed[0] > 0) {
        Signals.tell(dialect(), connection, channel, List.of(channel));
      }
    });
    return changed[0];
  }

  /** Runs several statements as one transaction, on the disk when this returns. */
  void transaction(Work work) {
    try (Connection connection = database.connection()) {
      connection.setAutoCommit(false);
      try {
        work.run(connection);
        database.commitDurably(connection);
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("store update failed: " + e.getMessage(), e);
    }
  }

  interface Work {
    void run(Connection connection) throws SQLException;
  }

  /** "?, ?, ?" for an IN list of {@code count} parameters. */
  static String placeholders(int count) {
    return String.join(", ", Collections.nCopies(count, "?"));
  }

  static PreparedStatement prepare(Connection connection, String sql, Object... parameters) throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    for (int i = 0; i < parameters.length; i++) {
      statement.setObject(i + 1, parameters[i]);
    }
    return statement;
  }
}

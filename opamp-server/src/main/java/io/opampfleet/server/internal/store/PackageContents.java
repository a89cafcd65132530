package io.opampfleet.server.internal.store;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * Package content in the store, in 1 MiB chunks, for servers sharing it: each keeps the files it
 * serves on its own disk and copies one it lacks from here.
 */
public final class PackageContents {
  private static final int CHUNK = 1024 * 1024;

  private final Database database;
  private final Sql sql;

  public PackageContents(Database database) {
    this.database = database;
    this.sql = new Sql(database);
  }

  /** Keeps the content, unless the store has it already (the same content is kept once). */
  public void put(String sha256, byte[] content) {
    sql.transaction(connection -> {
      if (has(connection, sha256)) {
        return;
      }
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO package_contents (sha256, chunk, bytes) VALUES (?, ?, ?)")) {
        for (int chunk = 0; chunk * (long) CHUNK < content.length; chunk++) {
          insert.setString(1, sha256);
          insert.setInt(2, chunk);
          insert.setBytes(3, Arrays.copyOfRange(content, chunk * CHUNK, Math.min(content.length, (chunk + 1) * CHUNK)));
          insert.executeUpdate();
        }
      }
    });
  }

  /** Writes the content to {@code target}, a chunk at a time; false when the store does not have it. */
  public boolean copyTo(String sha256, Path target) {
    try (Connection connection = database.connection();
         PreparedStatement select = connection.prepareStatement(
             "SELECT bytes FROM package_contents WHERE sha256 = ? ORDER BY chunk")) {
      // Rows come a few at a time rather than all at once (PostgreSQL needs a transaction for that).
      connection.setAutoCommit(false);
      select.setFetchSize(4);
      select.setString(1, sha256);
      boolean any = false;
      try (ResultSet rows = select.executeQuery(); OutputStream out = Files.newOutputStream(target)) {
        while (rows.next()) {
          out.write(rows.getBytes(1));
          any = true;
        }
      }
      connection.commit();
      return any;
    } catch (SQLException e) {
      throw new StoreException("cannot read package content from the store: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write package content to " + target + ": " + e.getMessage(), e);
    }
  }

  private static boolean has(Connection connection, String sha256) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT 1 FROM package_contents WHERE sha256 = ? AND chunk = 0")) {
      select.setString(1, sha256);
      try (ResultSet row = select.executeQuery()) {
        return row.next();
      }
    }
  }
}

package io.opampfleet.server.store;

import io.opampfleet.server.configs.Assignment;
import io.opampfleet.server.configs.ConfigVersion;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Configurations, their versions and assignments. Versions are written once and never changed. */
public final class ConfigRepository {
  private static final String VERSION_COLUMNS = "config_name, version, body, sha256, author, comment, created_at";

  private final Sql sql;
  // Versions never change once written: agents' lookups need not reach the store twice.
  private final java.util.Map<String, ConfigVersion> versions = new java.util.concurrent.ConcurrentHashMap<>();

  /** Told when an assignment is saved or deleted: servers sharing the store read them again. */
  public static final String ASSIGNMENTS_CHANNEL = "assignments";

  public ConfigRepository(Database database) {
    this.sql = new Sql(database);
  }

  /** Adds the next version of a config (creating the config with version 1) and returns it. */
  public ConfigVersion addVersion(String name, String body, String author, String comment) {
    long now = System.currentTimeMillis();
    ConfigVersion[] added = new ConfigVersion[1];
    sql.transaction(connection -> {
      int next;
      try (PreparedStatement max = Sql.prepare(connection,
          "SELECT MAX(version) FROM config_versions WHERE config_name = ?", name);
           ResultSet row = max.executeQuery()) {
        row.next();
        next = row.getInt(1) + 1;
      }
      if (next == 1) {
        try (PreparedStatement insert = Sql.prepare(connection,
            "INSERT INTO configs (name, created_at) VALUES (?, ?)", name, now)) {
          insert.executeUpdate();
        }
      }
      ConfigVersion version = new ConfigVersion(name, next, body, ConfigVersion.sha256(body), author, comment,
          Instant.ofEpochMilli(now));
      try (PreparedStatement insert = Sql.prepare(connection, "INSERT INTO config_versions (" + VERSION_COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?)", name, next, body, version.sha256(), author, comment, now)) {
        insert.executeUpdate();
      }
      added[0] = version;
    });
    return added[0];
  }

  public Optional<ConfigVersion> version(String name, int version) {
    ConfigVersion cached = versions.get(name + "@" + version);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<ConfigVersion> found = sql.query("SELECT " + VERSION_COLUMNS + " FROM config_versions WHERE config_name = ? AND version = ?",
        ConfigRepository::version, name, version).stream().findFirst();
    found.ifPresent(v -> versions.put(v.label(), v));
    return found;
  }

  public List<ConfigVersion> versions(String name) {
    return sql.query("SELECT " + VERSION_COLUMNS + " FROM config_versions WHERE config_name = ? ORDER BY version",
        ConfigRepository::version, name);
  }

  /** Each config with its latest version. */
  public List<ConfigVersion> latestVersions() {
    return sql.query("SELECT v.config_name, v.version, v.body, v.sha256, v.author, v.comment, v.created_at"
        + " FROM config_versions v JOIN (SELECT config_name, MAX(version) AS latest FROM config_versions"
        + " GROUP BY config_name) m ON v.config_name = m.config_name AND v.version = m.latest ORDER BY v.config_name",
        ConfigRepository::version);
  }

  public void saveAssignment(Assignment assignment) {
    sql.updateAndTell(ASSIGNMENTS_CHANNEL, sql.dialect().upsert("assignments", List.of("name", "selector", "config_name", "version", "created_at"), 1),
        assignment.name(), assignment.selector().toString(), assignment.configName(), assignment.version(),
        assignment.createdAt().toEpochMilli());
  }

  public boolean deleteAssignment(String name) {
    return sql.updateAndTell(ASSIGNMENTS_CHANNEL, "DELETE FROM assignments WHERE name = ?", name) > 0;
  }

  public List<Assignment> assignments() {
    return sql.query("SELECT name, selector, config_name, version, created_at FROM assignments ORDER BY name",
        row -> Assignment.of(row.getString(1), row.getString(2), row.getString(3), row.getInt(4),
            Instant.ofEpochMilli(row.getLong(5))));
  }

  private static ConfigVersion version(ResultSet row) throws SQLException {
    return new ConfigVersion(row.getString(1), row.getInt(2), row.getString(3), row.getString(4), row.getString(5),
        row.getString(6), Instant.ofEpochMilli(row.getLong(7)));
  }
}

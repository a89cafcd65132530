package io.opampfleet.server.internal.store;

import io.opampfleet.server.internal.configs.Assignment;
import io.opampfleet.server.internal.configs.ConfigVersion;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Configurations, their versions and assignments. Versions are written once and never changed. */
public final class ConfigRepository {
  private static final String VERSION_COLUMNS = "config_name, version, body, sha256, author, comment, created_at";
  /**
   * Reads a config's versions newest first through the primary key and stops at the first. Ordering by
   * both key columns is what lets H2 walk the key backwards: MAX(version), or ORDER BY version alone,
   * reads every version of the config ({@code scripts/store-benchmark configs}).
   */
  private static final String LATEST_FIRST = " ORDER BY config_name DESC, version DESC FETCH FIRST ROW ONLY";
  private static final List<String> ASSIGNMENT_COLUMNS = List.of("name", "selector", "config_name", "version", "created_at");

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
      int next = latestNumber(connection, name) + 1;
      added[0] = new ConfigVersion(name, next, body, ConfigVersion.sha256(body), author, comment, Instant.ofEpochMilli(now));
      insert(connection, added[0]);
    });
    return added[0];
  }

  /**
   * Writes a whole desired state in one transaction: the new config versions (each numbered one
   * past the latest its caller saw), the assignments saved and those deleted.
   *
   * @throws VersionConflict when a config got a version from elsewhere meanwhile; nothing is written
   */
  public void apply(List<ConfigVersion> newVersions, List<Assignment> saved, List<String> deleted) {
    sql.transaction(connection -> {
      for (ConfigVersion version : newVersions) {
        if (latestNumber(connection, version.name()) != version.version() - 1) {
          throw new VersionConflict("config '" + version.name() + "' got a new version while this was applied; apply again");
        }
        insert(connection, version);
      }
      for (Assignment assignment : saved) {
        try (PreparedStatement upsert = Sql.prepare(connection, sql.dialect().upsert("assignments", ASSIGNMENT_COLUMNS, 1),
            assignmentRow(assignment))) {
          upsert.executeUpdate();
        }
      }
      for (String name : deleted) {
        try (PreparedStatement delete = Sql.prepare(connection, "DELETE FROM assignments WHERE name = ?", name)) {
          delete.executeUpdate();
        }
      }
      if (!saved.isEmpty() || !deleted.isEmpty()) {
        Signals.tell(sql.dialect(), connection, ASSIGNMENTS_CHANNEL, List.of(ASSIGNMENTS_CHANNEL));
      }
    });
  }

  /** Another writer added a version between the caller's reading and this writing. */
  public static final class VersionConflict extends RuntimeException {
    VersionConflict(String message) {
      super(message);
    }
  }

  private static int latestNumber(java.sql.Connection connection, String name) throws SQLException {
    try (PreparedStatement latest = Sql.prepare(connection, "SELECT version FROM config_versions WHERE config_name = ?"
        + LATEST_FIRST, name);
         ResultSet row = latest.executeQuery()) {
      return row.next() ? row.getInt(1) : 0;
    }
  }

  private static void insert(java.sql.Connection connection, ConfigVersion version) throws SQLException {
    if (version.version() == 1) {
      try (PreparedStatement insert = Sql.prepare(connection, "INSERT INTO configs (name, created_at) VALUES (?, ?)",
          version.name(), version.createdAt().toEpochMilli())) {
        insert.executeUpdate();
      }
    }
    try (PreparedStatement insert = Sql.prepare(connection, "INSERT INTO config_versions (" + VERSION_COLUMNS
        + ") VALUES (?, ?, ?, ?, ?, ?, ?)", version.name(), version.version(), version.body(), version.sha256(),
        version.author(), version.comment(), version.createdAt().toEpochMilli())) {
      insert.executeUpdate();
    }
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

  /**
   * Every version of the config, oldest first, each with an empty body: a config may have thousands of
   * versions of up to a megabyte each, and a listing shows none of them.
   */
  public List<ConfigVersion> versionsWithoutBodies(String name) {
    return sql.query("SELECT config_name, version, '' AS body, sha256, author, comment, created_at"
        + " FROM config_versions WHERE config_name = ? ORDER BY version", ConfigRepository::version, name);
  }

  /** The config's latest version, read alone: a config may have thousands, each up to a megabyte. */
  public Optional<ConfigVersion> latest(String name) {
    return sql.query("SELECT " + VERSION_COLUMNS + " FROM config_versions WHERE config_name = ?" + LATEST_FIRST,
        ConfigRepository::version, name).stream().findFirst();
  }

  /** Each config with its latest version. */
  public List<ConfigVersion> latestVersions() {
    return sql.query("SELECT v.config_name, v.version, v.body, v.sha256, v.author, v.comment, v.created_at"
        + " FROM configs c JOIN config_versions v ON v.config_name = c.name AND v.version ="
        + " (SELECT version FROM config_versions WHERE config_name = c.name" + LATEST_FIRST + ") ORDER BY c.name",
        ConfigRepository::version);
  }

  public void saveAssignment(Assignment assignment) {
    sql.updateAndTell(ASSIGNMENTS_CHANNEL, sql.dialect().upsert("assignments", ASSIGNMENT_COLUMNS, 1),
        assignmentRow(assignment));
  }

  private static Object[] assignmentRow(Assignment assignment) {
    return new Object[] {assignment.name(), assignment.selector().toString(), assignment.configName(),
        assignment.version(), assignment.createdAt().toEpochMilli()};
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

package io.opampfleet.server.store;

import java.sql.PreparedStatement;
import java.util.List;

/** Rollouts' headers; their agents' progress goes through {@link WriteBehind} as it changes. */
public final class RolloutRepository {
  /** A rollout's stored header; times are epoch ms. */
  public record RolloutRow(
      long id, String selector, String configName, int version, String waves, long bakeMillis, String budget,
      long timeoutMillis, String state, String reason, int currentWave, String createdBy, long createdAt,
      long endedAt, String stages, String packageName, String packageVersion, long offlineDeadlineMillis) {}

  private static final List<String> COLUMNS = List.of("id", "selector", "config_name", "version", "waves",
      "bake_millis", "budget", "timeout_millis", "state", "reason", "current_wave", "created_by", "created_at",
      "ended_at", "stages", "package_name", "package_version", "offline_deadline_millis");

  private final Sql sql;

  public RolloutRepository(Database database) {
    this.sql = new Sql(database);
  }

  /** Stores a new rollout with all its agents in their first state, in one transaction. */
  public void create(RolloutRow rollout, List<RolloutAgentRow> agents) {
    sql.transaction(connection -> {
      try (PreparedStatement insert = connection.prepareStatement(sql.dialect().upsert("rollouts", COLUMNS, 1))) {
        bind(insert, rollout);
        insert.executeUpdate();
      }
      try (PreparedStatement insert = connection.prepareStatement(
          sql.dialect().upsert("rollout_agents", RolloutAgentRow.COLUMNS, 2))) {
        for (RolloutAgentRow agent : agents) {
          WriteBehind.bind(insert, agent);
          insert.addBatch();
        }
        insert.executeBatch();
      }
    });
  }

  public void update(RolloutRow rollout) {
    sql.transaction(connection -> {
      try (PreparedStatement update = connection.prepareStatement(sql.dialect().upsert("rollouts", COLUMNS, 1))) {
        bind(update, rollout);
        update.executeUpdate();
      }
    });
  }

  public List<RolloutRow> all() {
    return sql.query("SELECT " + String.join(", ", COLUMNS) + " FROM rollouts ORDER BY id",
        row -> new RolloutRow(row.getLong(1), row.getString(2), row.getString(3), row.getInt(4), row.getString(5),
            row.getLong(6), row.getString(7), row.getLong(8), row.getString(9), row.getString(10), row.getInt(11),
            row.getString(12), row.getLong(13), row.getLong(14), row.getString(15), row.getString(16),
            row.getString(17), row.getLong(18)));
  }

  public List<RolloutAgentRow> agents(long rolloutId) {
    return sql.query("SELECT " + String.join(", ", RolloutAgentRow.COLUMNS)
        + " FROM rollout_agents WHERE rollout_id = ? ORDER BY wave, instance_uid",
        RolloutRepository::agentRow, rolloutId);
  }

  /** A rollout agent's row from the first nine columns of a result, in RolloutAgentRow.COLUMNS order. */
  private static RolloutAgentRow agentRow(java.sql.ResultSet row) throws java.sql.SQLException {
    return new RolloutAgentRow(row.getLong(1), row.getString(2), row.getInt(3), row.getString(4), row.getString(5),
        (Integer) row.getObject(6), row.getString(7), row.getLong(8), row.getString(9));
  }

  /**
   * One agent's part in one rollout, with what that rollout offered: a config version ({@code
   * configName} null when none), a package version ({@code packageName} null when none), or both.
   */
  public record StoredAttempt(RolloutAgentRow progress, String configName, int version, String packageName,
      String packageVersion) {}

  /** Every rollout the agent was part of, newest first. */
  public List<StoredAttempt> attempts(String uid) {
    String columns = String.join(", ", RolloutAgentRow.COLUMNS.stream().map(column -> "a." + column).toList());
    return sql.query("SELECT " + columns + ", r.config_name, r.version, r.package_name, r.package_version"
        + " FROM rollout_agents a JOIN rollouts r ON r.id = a.rollout_id WHERE a.instance_uid = ?"
        + " ORDER BY a.rollout_id DESC",
        row -> new StoredAttempt(agentRow(row), row.getString(10), row.getInt(11), row.getString(12),
            row.getString(13)), uid);
  }

  private static void bind(PreparedStatement statement, RolloutRow rollout) throws java.sql.SQLException {
    Object[] values = {rollout.id(), rollout.selector(), rollout.configName(), rollout.version(), rollout.waves(),
        rollout.bakeMillis(), rollout.budget(), rollout.timeoutMillis(), rollout.state(), rollout.reason(),
        rollout.currentWave(), rollout.createdBy(), rollout.createdAt(), rollout.endedAt(), rollout.stages(),
        rollout.packageName(), rollout.packageVersion(), rollout.offlineDeadlineMillis()};
    for (int i = 0; i < values.length; i++) {
      statement.setObject(i + 1, values[i]);
    }
  }
}

package io.opampfleet.server.internal.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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

  /** The PostgreSQL advisory lock that makes creations one at a time across servers. */
  private static final long CREATION_LOCK = 0x6f70616d70L;

  private final Sql sql;
  /** The states of rollouts that have not ended, as SQL text. */
  private final String unfinishedStates;

  /** @param unfinished the names of the states of rollouts that have not ended (plain words) */
  public RolloutRepository(Database database, List<String> unfinished) {
    this.sql = new Sql(database);
    this.unfinishedStates = String.join(", ", unfinished.stream().map(state -> "'" + state + "'").toList());
  }

  /**
   * Stores a new rollout driven by {@code driver}, with all its agents in their first state, in one
   * transaction; unless some of its agents are in another rollout that has not ended (whichever
   * server drives it): then nothing is stored, and those agents are returned with their rollout.
   * Creations are one at a time across the servers sharing the store.
   */
  public Map<String, Long> create(RolloutRow rollout, List<RolloutAgentRow> agents, String driver) {
    Map<String, Long> busy = new LinkedHashMap<>();
    sql.transaction(connection -> {
      if (sql.dialect() == Dialect.POSTGRESQL) {
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
          lock.setLong(1, CREATION_LOCK);
          lock.execute();
        }
      }
      busy.putAll(busy(connection, agents));
      if (!busy.isEmpty()) {
        return;
      }
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO rollouts (" + String.join(", ", COLUMNS)
          + ", driver) VALUES (" + "?, ".repeat(COLUMNS.size()) + "?)")) {
        bind(insert, rollout);
        insert.setString(COLUMNS.size() + 1, driver);
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
    return busy;
  }

  /** Whether other servers may share the store (PostgreSQL); the embedded store has this one only. */
  public boolean shared() {
    return sql.dialect() == Dialect.POSTGRESQL;
  }

  /**
   * Runs {@code decision} while no rollout can be created by any server sharing the store (the lock
   * creations take): a decision about an agent that waits for its change to be stored is either
   * seen by a creation's check of its agents, or sees the rollout that creation stored. With the
   * embedded store there is one server, whose engine makes both decisions one at a time already.
   */
  public void whileNoRolloutStarts(Runnable decision) {
    if (!shared()) {
      decision.run();
      return;
    }
    sql.transaction(connection -> {
      try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
        lock.setLong(1, CREATION_LOCK);
        lock.execute();
      }
      decision.run();
    });
  }

  /** Those of the agents that are in a rollout that has not ended, with its id. */
  private Map<String, Long> busy(Connection connection, List<RolloutAgentRow> agents) throws SQLException {
    Set<String> wanted = new HashSet<>();
    agents.forEach(agent -> wanted.add(agent.uid()));
    Map<String, Long> busy = new LinkedHashMap<>();
    try (PreparedStatement select = connection.prepareStatement("SELECT a.instance_uid, a.rollout_id"
        + " FROM rollout_agents a JOIN rollouts r ON r.id = a.rollout_id WHERE r.state IN (" + unfinishedStates + ")");
         ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        if (wanted.contains(rows.getString(1))) {
          busy.put(rows.getString(1), rows.getLong(2));
        }
      }
    }
    return busy;
  }

  /** The agents in rollouts that have not ended, whichever server drives them. */
  public Set<String> inUnfinishedRollouts() {
    return new HashSet<>(sql.query("SELECT a.instance_uid FROM rollout_agents a JOIN rollouts r ON r.id = a.rollout_id"
        + " WHERE r.state IN (" + unfinishedStates + ")", row -> row.getString(1)));
  }

  /** The rollout that has not ended the agent is in, whichever server drives it. */
  public Optional<Long> unfinishedRolloutOf(String uid) {
    return sql.query("SELECT a.rollout_id FROM rollout_agents a JOIN rollouts r ON r.id = a.rollout_id"
        + " WHERE a.instance_uid = ? AND r.state IN (" + unfinishedStates + ")", row -> row.getLong(1), uid)
        .stream().findFirst();
  }

  /** A new rollout's id, never handed out before, by any server sharing the store. */
  public long nextId() {
    long[] id = new long[1];
    sql.transaction(connection -> {
      try (PreparedStatement take = connection.prepareStatement("UPDATE rollout_ids SET next_id = next_id + 1")) {
        take.executeUpdate();
      }
      try (PreparedStatement read = connection.prepareStatement("SELECT next_id - 1 FROM rollout_ids");
           ResultSet row = read.executeQuery()) {
        row.next();
        id[0] = row.getLong(1);
      }
    });
    return id[0];
  }

  /** Stores the rollout's state, if {@code driver} still drives it; false when another server has taken it over. */
  public boolean update(RolloutRow rollout, String driver) {
    int[] changed = new int[1];
    sql.transaction(connection -> {
      try (PreparedStatement update = connection.prepareStatement("UPDATE rollouts SET "
          + String.join(" = ?, ", COLUMNS.subList(1, COLUMNS.size())) + " = ? WHERE id = ? AND driver = ?")) {
        // The id goes last here, with the driver.
        Object[] values = values(rollout);
        for (int i = 1; i < values.length; i++) {
          update.setObject(i, values[i]);
        }
        update.setLong(values.length, rollout.id());
        update.setString(values.length + 1, driver);
        changed[0] = update.executeUpdate();
      }
    });
    return changed[0] == 1;
  }

  /** An unfinished rollout and the server driving it (null when none does). */
  public record Driven(long id, String driver, String requested) {}

  public List<Driven> unfinished() {
    return sql.query("SELECT id, driver, requested FROM rollouts WHERE state IN (" + unfinishedStates + ") ORDER BY id",
        row -> new Driven(row.getLong(1), row.getString(2), row.getString(3)));
  }

  /** Makes {@code driver} drive the rollout if {@code was} still does (compare-and-set); false when another won. */
  public boolean claim(long id, String was, String driver) {
    return was == null
        ? sql.update("UPDATE rollouts SET driver = ? WHERE id = ? AND driver IS NULL", driver, id) == 1
        : sql.update("UPDATE rollouts SET driver = ? WHERE id = ? AND driver = ?", driver, id, was) == 1;
  }

  /** Lets go of every rollout {@code driver} drives, for the others to take over at once. */
  public void release(String driver) {
    sql.update("UPDATE rollouts SET driver = NULL WHERE driver = ?", driver);
  }

  /** Leaves an operator's request for the server driving the rollout; false when it has ended. */
  public boolean request(long id, String requested) {
    return sql.update("UPDATE rollouts SET requested = ? WHERE id = ? AND state IN (" + unfinishedStates + ")",
        requested, id) == 1;
  }

  /** Marks the request carried out, unless another came meanwhile. */
  public void answered(long id, String requested) {
    sql.update("UPDATE rollouts SET requested = NULL WHERE id = ? AND requested = ?", id, requested);
  }

  public Optional<RolloutRow> find(long id) {
    return sql.query("SELECT " + String.join(", ", COLUMNS) + " FROM rollouts WHERE id = ?", RolloutRepository::row, id)
        .stream().findFirst();
  }

  public List<RolloutRow> all() {
    return sql.query("SELECT " + String.join(", ", COLUMNS) + " FROM rollouts ORDER BY id", RolloutRepository::row);
  }

  private static RolloutRow row(ResultSet row) throws SQLException {
    return new RolloutRow(row.getLong(1), row.getString(2), row.getString(3), row.getInt(4), row.getString(5),
        row.getLong(6), row.getString(7), row.getLong(8), row.getString(9), row.getString(10), row.getInt(11),
        row.getString(12), row.getLong(13), row.getLong(14), row.getString(15), row.getString(16),
        row.getString(17), row.getLong(18));
  }

  public List<RolloutAgentRow> agents(long rolloutId) {
    return sql.query("SELECT " + String.join(", ", RolloutAgentRow.COLUMNS)
        + " FROM rollout_agents WHERE rollout_id = ? ORDER BY wave, instance_uid",
        RolloutRepository::agentRow, rolloutId);
  }

  /** A rollout agent's row from the first columns of a result, in RolloutAgentRow.COLUMNS order. */
  private static RolloutAgentRow agentRow(ResultSet row) throws SQLException {
    return new RolloutAgentRow(row.getLong(1), row.getString(2), row.getInt(3), row.getString(4), row.getString(5),
        (Integer) row.getObject(6), row.getString(7), row.getLong(8), row.getString(9), row.getBoolean(10));
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
        row -> new StoredAttempt(agentRow(row), row.getString(11), row.getInt(12), row.getString(13),
            row.getString(14)), uid);
  }

  private static void bind(PreparedStatement statement, RolloutRow rollout) throws SQLException {
    Object[] values = values(rollout);
    for (int i = 0; i < values.length; i++) {
      statement.setObject(i + 1, values[i]);
    }
  }

  /** The header's values in COLUMNS order. */
  private static Object[] values(RolloutRow rollout) {
    return new Object[] {rollout.id(), rollout.selector(), rollout.configName(), rollout.version(), rollout.waves(),
        rollout.bakeMillis(), rollout.budget(), rollout.timeoutMillis(), rollout.state(), rollout.reason(),
        rollout.currentWave(), rollout.createdBy(), rollout.createdAt(), rollout.endedAt(), rollout.stages(),
        rollout.packageName(), rollout.packageVersion(), rollout.offlineDeadlineMillis()};
  }
}

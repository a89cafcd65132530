package io.opampfleet.server.internal.store;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.proto.PackageStatuses;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.AgentSnapshot;
import io.opampfleet.server.internal.inventory.SharedMessages;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Agents' rows: reported parts as protobuf bytes, with the columns the server looks up by. What an
 * agent reports is written by the server holding its connection; what the fleet wants of it (its
 * desired config) by the server that decided it, in a narrow table of its own: each writes only its
 * own table, so servers sharing one store never overwrite each other's news, and a rollout's wave
 * does not rewrite every agent's wide row. The large parts an agent reports (effective config,
 * package statuses, available components) are rows of their own too, written when they change: a
 * status report does not rewrite them. Those rows name their bodies by hash ({@link PartBodies}): an
 * equal body is stored once, whichever agents report it.
 */
public final class AgentRows {
  static final List<String> REPORTED = List.of("instance_uid", "description", "capabilities", "health",
      "remote_config_status", "connected", "connected_since", "last_seen", "remote_address", "certificate_subject",
      "certificate_sha256", "certificate_pending_sha256", "held_by", "revision");
  private static final List<String> DESIRED = List.of("desired_config", "desired_version", "desired_local",
      "desired_at");
  /** What the fleet view shows of an agent, named by table: the two are joined. */
  private static final List<String> OVERVIEW = Stream.concat(REPORTED.stream().map(column -> "agents." + column),
      DESIRED.stream().map(column -> "agent_desired." + column)).toList();
  /** Every column an agent's snapshot reads: its large parts' body hashes too, each joined under its own name. */
  private static final List<String> COLUMNS = Stream.concat(OVERVIEW.stream(),
      Stream.of(Part.values()).map(part -> part.column + ".body_sha256 AS " + part.column)).toList();
  /** An agent without a desired row has none: the fleet never wanted anything of it. */
  private static final String JOINED = " FROM agents LEFT JOIN agent_desired"
      + " ON agent_desired.instance_uid = agents.instance_uid";
  private static final String JOINED_WITH_PARTS = JOINED + Stream.of(Part.values())
      .map(part -> " LEFT JOIN agent_parts " + part.column + " ON " + part.column + ".instance_uid = agents.instance_uid"
          + " AND " + part.column + ".part = '" + part.column + "'")
      .collect(Collectors.joining());

  /** The large parts of what an agent reports, a row each, which the fleet view does not show. */
  enum Part {
    EFFECTIVE_CONFIG("effective_config", AgentSnapshot::effectiveConfig),
    PACKAGE_STATUSES("package_statuses", AgentSnapshot::packageStatuses),
    AVAILABLE_COMPONENTS("available_components", AgentSnapshot::availableComponents);

    final String column;
    final Function<AgentSnapshot, MessageLite> of;

    Part(String column, Function<AgentSnapshot, MessageLite> of) {
      this.column = column;
      this.of = of;
    }
  }

  private AgentRows() {}

  /**
   * Inserts the agent, or updates what it reports only. A row another server wrote last is left
   * alone unless this server holds a newer connection of the agent or heard from it later (an HTTP
   * agent's polls may reach any server): a server with a stale connection (during a failover), or
   * one that lost it, does not undo the newest. Times are the store's clock, the same on every server.
   */
  static String upsertReported(Dialect dialect) {
    return dialect.upsert("agents", REPORTED, 1, "agents.held_by IS NULL OR agents.held_by = EXCLUDED.held_by"
        + " OR (EXCLUDED.connected AND (NOT agents.connected OR EXCLUDED.connected_since >= agents.connected_since"
        + " OR EXCLUDED.last_seen > agents.last_seen))");
  }

  /**
   * Inserts or updates one large part of an agent, written by the server that wrote its agents row
   * last: on PostgreSQL, after {@link #upsertReported} left a stale server's row alone, its parts are
   * left alone too.
   */
  static String upsertPart(Dialect dialect) {
    return dialect.upsert("agent_parts", List.of("instance_uid", "part", "body_sha256", "written_by"), 2,
        "EXISTS (SELECT 1 FROM agents WHERE agents.instance_uid = EXCLUDED.instance_uid"
            + " AND agents.held_by = EXCLUDED.written_by)");
  }

  /**
   * Adds to {@code statement} ({@link #upsertPart}) each large part of {@code agent} that the store
   * does not hold as far as this server knows: one whose object is not that of {@code lastStored}.
   * Its body goes to {@code bodies}, which the write stores first.
   */
  static void addChangedParts(PreparedStatement statement, PartBodies bodies, AgentSnapshot agent,
      AgentSnapshot lastStored, String writer) throws SQLException {
    for (Part part : Part.values()) {
      MessageLite now = part.of.apply(agent);
      if (lastStored == null ? now != null : now != part.of.apply(lastStored)) {
        statement.setString(1, agent.uid());
        statement.setString(2, part.column);
        statement.setBytes(3, bodies.add(now));
        statement.setString(4, writer);
        statement.addBatch();
      }
    }
  }

  /**
   * Inserts or updates what the fleet wants of an agent: its row may come before the agent's own (its
   * first report still on its way to the store), and is joined to it once that is there.
   */
  static String upsertDesired(Dialect dialect) {
    return dialect.upsert("agent_desired", Stream.concat(Stream.of("instance_uid"), DESIRED.stream()).toList(), 1);
  }

  /**
   * The agent as {@code writer} knows it: connected only when it holds the connection ({@code
   * heldHere}), whatever another server's row it followed says.
   */
  static void bindReported(PreparedStatement statement, AgentSnapshot agent, String writer, boolean heldHere)
      throws SQLException {
    int i = 1;
    statement.setString(i++, agent.uid());
    statement.setBytes(i++, bytes(agent.description()));
    statement.setLong(i++, agent.capabilities());
    statement.setBytes(i++, bytes(agent.health()));
    statement.setBytes(i++, bytes(agent.remoteConfigStatus()));
    statement.setBoolean(i++, heldHere);
    statement.setLong(i++, agent.connectedSince());
    statement.setLong(i++, agent.lastSeen());
    statement.setString(i++, ColumnText.fit(agent.remoteAddress(), 128));
    statement.setString(i++, ColumnText.fit(agent.certificateSubject(), 512));
    statement.setString(i++, agent.certificateSha256());
    statement.setString(i++, agent.pendingCertificateSha256());
    statement.setString(i++, writer);
    statement.setLong(i, agent.revision());
  }

  /**
   * The parameters of {@link #upsertDesired}.
   *
   * @param desiredAt when its desired state was decided, by the store's clock (as its last message is)
   */
  static void bindDesired(PreparedStatement statement, AgentSnapshot agent, long desiredAt) throws SQLException {
    int i = 1;
    statement.setString(i++, agent.uid());
    if (agent.desired() == null) {
      statement.setNull(i++, Types.VARCHAR);
      statement.setNull(i++, Types.INTEGER);
    } else {
      statement.setString(i++, agent.desired().name());
      statement.setInt(i++, agent.desired().version());
    }
    statement.setBoolean(i++, agent.desiresLocal());
    statement.setLong(i, desiredAt);
  }

  /**
   * Every stored agent, as it was last written; connected only when a server that {@code holds}
   * (one alive, not this one: nobody is connected to a server that just started) says so.
   * {@code versions} finds a desired config by name and version.
   */
  public static List<AgentSnapshot> loadAll(Database database, BiFunction<String, Integer, ConfigVersion> versions,
      Predicate<String> holds) {
    try (Connection connection = database.connection()) {
      return load(connection, versions, holds, "", List.of());
    } catch (SQLException e) {
      throw new StoreException("cannot read agents from the store: " + e.getMessage(), e);
    }
  }

  /** The stored agents of these uids, as {@link #loadAll} (PostgreSQL). */
  public static List<AgentSnapshot> load(Database database, BiFunction<String, Integer, ConfigVersion> versions,
      Predicate<String> holds, Collection<String> uids) {
    try (Connection connection = database.connection()) {
      return load(connection, versions, holds, " WHERE agents.instance_uid = ANY(?)",
          List.of(connection.createArrayOf("text", uids.toArray())));
    } catch (SQLException e) {
      throw new StoreException("cannot read agents from the store: " + e.getMessage(), e);
    }
  }

  /**
   * Every stored agent as {@link #loadAll}, without its effective config, package statuses and
   * available components: what the fleet view shows.
   */
  public static List<AgentSnapshot> overview(Database database, BiFunction<String, Integer, ConfigVersion> versions,
      Predicate<String> holds) {
    try (Connection connection = database.connection()) {
      return select(connection, false, versions, holds, "", List.of());
    } catch (SQLException e) {
      throw new StoreException("cannot read agents from the store: " + e.getMessage(), e);
    }
  }

  /**
   * The stored agents that {@code where} selects (its parameters as text or text arrays), as {@link
   * #loadAll}; it names columns by table, {@code agents} or {@code agent_desired}, and also selects
   * the bodies those agents' parts refer to, in a subquery.
   */
  public static List<AgentSnapshot> load(Connection connection, BiFunction<String, Integer, ConfigVersion> versions,
      Predicate<String> holds, String where, List<Object> parameters) throws SQLException {
    return select(connection, true, versions, holds, where, parameters);
  }

  /** {@code whole}: with the large parts, their bodies read once each ({@link StoredBodies}); else without them. */
  private static List<AgentSnapshot> select(Connection connection, boolean whole,
      BiFunction<String, Integer, ConfigVersion> versions, Predicate<String> holds, String where,
      List<Object> parameters) throws SQLException {
    List<AgentSnapshot> agents = new ArrayList<>();
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT " + String.join(", ", whole ? COLUMNS : OVERVIEW) + (whole ? JOINED_WITH_PARTS : JOINED) + where)) {
      for (int i = 0; i < parameters.size(); i++) {
        select.setObject(i + 1, parameters.get(i));
      }
      StoredBodies bodies = whole ? StoredBodies.of(connection, JOINED + where, parameters) : null;
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          agents.add(snapshot(rows, bodies, versions, holds));
        }
      }
    }
    return agents;
  }

  /** {@code bodies}: those of the large parts, which are read; null to read none. */
  private static AgentSnapshot snapshot(ResultSet rows, StoredBodies bodies,
      BiFunction<String, Integer, ConfigVersion> versions, Predicate<String> holds) throws SQLException {
    boolean whole = bodies != null;
    String heldBy = rows.getString("held_by");
    boolean connected = rows.getBoolean("connected") && heldBy != null && holds.test(heldBy);
    String desiredName = rows.getString("desired_config");
    ConfigVersion desired = desiredName == null ? null : versions.apply(desiredName, rows.getInt("desired_version"));
    AgentDescription description = parse(rows.getBytes("description"), AgentDescription.parser(),
        AgentDescription.getDefaultInstance());
    return new AgentSnapshot(rows.getString("instance_uid"), description, Agent.labelsOf(description),
        rows.getLong("capabilities"),
        parse(rows.getBytes("health"), ComponentHealth.parser(), null),
        whole ? SharedMessages.EFFECTIVE_CONFIGS.of(bodies.parse(rows.getBytes("effective_config"),
            EffectiveConfig.parser())) : null,
        parse(rows.getBytes("remote_config_status"), RemoteConfigStatus.parser(), null),
        whole ? bodies.parse(rows.getBytes("package_statuses"), PackageStatuses.parser()) : null,
        whole ? SharedMessages.COMPONENTS.of(bodies.parse(rows.getBytes("available_components"),
            AvailableComponents.parser())) : null,
        connected,
        heldBy == null ? "" : heldBy,
        rows.getLong("revision"),
        rows.getLong("connected_since"),
        rows.getLong("last_seen"),
        nullToEmpty(rows.getString("remote_address")),
        nullToEmpty(rows.getString("certificate_subject")),
        nullToEmpty(rows.getString("certificate_sha256")),
        nullToEmpty(rows.getString("certificate_pending_sha256")),
        desired,
        rows.getBoolean("desired_local"),
        // Not yet had its chance: it has not spoken since the config was decided for it.
        desired != null && rows.getLong("last_seen") <= rows.getLong("desired_at"),
        0);
  }

  /** How many agents the store holds that a server is not connected to, and the bytes they reported. */
  public record StoredReports(long agents, long bytes) {}

  /**
   * The agents the store holds that are not connected to {@code replica}, and the bytes of what they
   * reported as stored: their own columns, and each body of their large parts once however many of
   * them refer to it (agents of one build share their list of components); with the bodies no agent
   * refers to any more, which the store keeps a while (see {@link PartBodies#KEPT_UNREFERENCED}).
   */
  public static StoredReports notConnectedTo(Database database, String replica) {
    String notHere = " WHERE NOT (agents.connected AND COALESCE(agents.held_by, '') = ?)";
    Sql sql = new Sql(database);
    StoredReports rows = sql.query("SELECT COUNT(*), COALESCE(SUM(COALESCE(OCTET_LENGTH(description), 0)"
        + " + COALESCE(OCTET_LENGTH(health), 0) + COALESCE(OCTET_LENGTH(remote_config_status), 0)), 0)"
        + " FROM agents" + notHere, row -> new StoredReports(row.getLong(1), row.getLong(2)), replica).get(0);
    long bodies = sql.query("SELECT COALESCE(SUM(OCTET_LENGTH(body)), 0) FROM part_bodies WHERE sha256 IN"
        + " (SELECT agent_parts.body_sha256 FROM agent_parts JOIN agents"
        + " ON agents.instance_uid = agent_parts.instance_uid" + notHere + ") OR NOT EXISTS"
        + " (SELECT 1 FROM agent_parts WHERE agent_parts.body_sha256 = part_bodies.sha256)",
        row -> row.getLong(1), replica).get(0);
    return new StoredReports(rows.agents(), rows.bytes() + bodies);
  }

  /**
   * Deletes the agents neither connected nor heard from since {@code before} (the store's clock), with
   * what the fleet wanted of them and the packages offered to them; returns the uids of those deleted.
   * Their history goes with the events' retention.
   */
  public static List<String> forgetSilentSince(Database database, long before) {
    Sql sql = new Sql(database);
    List<String> silent = sql.query("SELECT instance_uid FROM agents WHERE NOT connected AND last_seen < ?",
        row -> row.getString(1), before);
    List<String> forgotten = new ArrayList<>();
    sql.transaction(connection -> {
      // Still silent when deleted: one that spoke meanwhile stays, with all the fleet wants of it.
      try (PreparedStatement delete = connection.prepareStatement(
          "DELETE FROM agents WHERE instance_uid = ? AND NOT connected AND last_seen < ?")) {
        for (String uid : silent) {
          delete.setString(1, uid);
          delete.setLong(2, before);
          delete.addBatch();
        }
        int[] deleted = delete.executeBatch();
        for (int i = 0; i < deleted.length; i++) {
          if (deleted[i] > 0) {
            forgotten.add(silent.get(i));
          }
        }
      }
      for (String table : List.of("agent_desired", "agent_packages", "agent_parts")) {
        try (PreparedStatement delete = connection.prepareStatement(
            "DELETE FROM " + table + " WHERE instance_uid = ?")) {
          for (String uid : forgotten) {
            delete.setString(1, uid);
            delete.addBatch();
          }
          delete.executeBatch();
        }
      }
      // A desired state another server decided for an agent deleted meanwhile (it still had it in hand).
      try (PreparedStatement orphans = connection.prepareStatement("DELETE FROM agent_desired WHERE desired_at < ?"
          + " AND NOT EXISTS (SELECT 1 FROM agents WHERE agents.instance_uid = agent_desired.instance_uid)")) {
        orphans.setLong(1, before);
        orphans.executeUpdate();
      }
    });
    return forgotten;
  }

  private static byte[] bytes(MessageLite message) {
    return message == null ? null : message.toByteArray();
  }

  private static <T> T parse(byte[] bytes, Parser<T> parser, T otherwise) throws SQLException {
    if (bytes == null) {
      return otherwise;
    }
    try {
      return parser.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new SQLException("a stored agent's state does not parse: " + e.getMessage(), e);
    }
  }

  private static String nullToEmpty(String value) {
    return value == null ? "" : value;
  }
}

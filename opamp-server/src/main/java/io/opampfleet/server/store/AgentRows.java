package io.opampfleet.server.store;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.proto.PackageStatuses;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.server.configs.ConfigVersion;
import io.opampfleet.server.inventory.AgentSnapshot;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/** Agents' rows: reported parts as protobuf bytes, with the columns the server looks up by. */
public final class AgentRows {
  static final List<String> COLUMNS = List.of("instance_uid", "description", "capabilities", "health",
      "effective_config", "remote_config_status", "package_statuses", "available_components", "connected",
      "connected_since", "last_seen", "remote_address", "certificate_subject", "certificate_sha256",
      "desired_config", "desired_version", "certificate_pending_sha256", "desired_local");

  private AgentRows() {}

  static String upsert(Dialect dialect) {
    return dialect.upsert("agents", COLUMNS, 1);
  }

  static void bind(PreparedStatement statement, AgentSnapshot agent) throws SQLException {
    int i = 1;
    statement.setString(i++, agent.uid());
    statement.setBytes(i++, bytes(agent.description()));
    statement.setLong(i++, agent.capabilities());
    statement.setBytes(i++, bytes(agent.health()));
    statement.setBytes(i++, bytes(agent.effectiveConfig()));
    statement.setBytes(i++, bytes(agent.remoteConfigStatus()));
    statement.setBytes(i++, bytes(agent.packageStatuses()));
    statement.setBytes(i++, bytes(agent.availableComponents()));
    statement.setBoolean(i++, agent.connected());
    statement.setLong(i++, agent.connectedSince());
    statement.setLong(i++, agent.lastSeen());
    statement.setString(i++, ColumnText.fit(agent.remoteAddress(), 128));
    statement.setString(i++, ColumnText.fit(agent.certificateSubject(), 512));
    statement.setString(i++, agent.certificateSha256());
    if (agent.desired() == null) {
      statement.setNull(i++, Types.VARCHAR);
      statement.setNull(i++, Types.INTEGER);
    } else {
      statement.setString(i++, agent.desired().name());
      statement.setInt(i++, agent.desired().version());
    }
    statement.setString(i++, agent.pendingCertificateSha256());
    statement.setBoolean(i, agent.desiresLocal());
  }

  /**
   * Every stored agent, as it was last written, marked disconnected: nobody is connected to a
   * server that just started. {@code versions} finds a desired config by name and version.
   */
  public static List<AgentSnapshot> loadAll(Database database, BiFunction<String, Integer, ConfigVersion> versions) {
    List<AgentSnapshot> agents = new ArrayList<>();
    try (Connection connection = database.connection();
         PreparedStatement select = connection.prepareStatement("SELECT " + String.join(", ", COLUMNS) + " FROM agents");
         ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        String desiredName = rows.getString("desired_config");
        ConfigVersion desired = desiredName == null ? null : versions.apply(desiredName, rows.getInt("desired_version"));
        agents.add(new AgentSnapshot(rows.getString("instance_uid"),
            parse(rows.getBytes("description"), AgentDescription.parser(), AgentDescription.getDefaultInstance()),
            Map.of(),
            rows.getLong("capabilities"),
            parse(rows.getBytes("health"), ComponentHealth.parser(), null),
            parse(rows.getBytes("effective_config"), EffectiveConfig.parser(), null),
            parse(rows.getBytes("remote_config_status"), RemoteConfigStatus.parser(), null),
            parse(rows.getBytes("package_statuses"), PackageStatuses.parser(), null),
            parse(rows.getBytes("available_components"), AvailableComponents.parser(), null),
            false,
            rows.getLong("connected_since"),
            rows.getLong("last_seen"),
            nullToEmpty(rows.getString("remote_address")),
            nullToEmpty(rows.getString("certificate_subject")),
            nullToEmpty(rows.getString("certificate_sha256")),
            nullToEmpty(rows.getString("certificate_pending_sha256")),
            desired,
            rows.getBoolean("desired_local"),
            false,
            0));
      }
    } catch (SQLException e) {
      throw new StoreException("cannot read the agents from the store: " + e.getMessage(), e);
    }
    return agents;
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

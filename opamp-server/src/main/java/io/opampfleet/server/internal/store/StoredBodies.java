package io.opampfleet.server.internal.store;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The bodies of the parts a read of agents refers to ({@link PartBodies}), each read and parsed once:
 * agents sharing a body are not sent it once each (35 KB of components an agent, over the network on
 * PostgreSQL), and share one parsed message, which protobuf keeps immutable.
 */
final class StoredBodies {
  private final Connection connection;
  private final Map<ByteString, byte[]> bodies = new HashMap<>();
  /** By parser too: two parts' bodies may be the same bytes (empty ones). */
  private final Map<Parser<?>, Map<ByteString, Object>> parsed = new HashMap<>();

  private StoredBodies(Connection connection) {
    this.connection = connection;
  }

  /**
   * The bodies of the parts of the agents {@code agents} selects: a query's FROM and WHERE naming the
   * agents as {@code agents}, with its parameters.
   */
  static StoredBodies of(Connection connection, String agents, List<Object> parameters) throws SQLException {
    StoredBodies read = new StoredBodies(connection);
    try (PreparedStatement select = connection.prepareStatement("SELECT sha256, body FROM part_bodies WHERE sha256 IN"
        + " (SELECT parts.body_sha256 FROM agent_parts parts WHERE parts.instance_uid IN (SELECT agents.instance_uid"
        + agents + "))")) {
      for (int i = 0; i < parameters.size(); i++) {
        select.setObject(i + 1, parameters.get(i));
      }
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          read.bodies.put(ByteString.copyFrom(rows.getBytes(1)), rows.getBytes(2));
        }
      }
    }
    return read;
  }

  /** The body of key {@code sha256} parsed, the same message for every agent that refers to it; null for none. */
  <T> T parse(byte[] sha256, Parser<T> parser) throws SQLException {
    if (sha256 == null) {
      return null;
    }
    ByteString key = ByteString.copyFrom(sha256);
    Map<ByteString, Object> byKey = parsed.computeIfAbsent(parser, any -> new HashMap<>());
    Object known = byKey.get(key);
    if (known == null) {
      try {
        // Parsed, its bytes are not kept: a fleet of distinct configs would hold each twice until the read ends.
        known = parser.parseFrom(body(key));
        bodies.remove(key);
      } catch (InvalidProtocolBufferException e) {
        throw new SQLException("a stored agent's state does not parse: " + e.getMessage(), e);
      }
      byKey.put(key, known);
    }
    @SuppressWarnings("unchecked") // a body is one part's, whose parser the caller names
    T message = (T) known;
    return message;
  }

  /** One the first read did not find: a part that changed between the two reads. */
  private byte[] body(ByteString key) throws SQLException {
    byte[] body = bodies.get(key);
    if (body != null) {
      return body;
    }
    try (PreparedStatement select = connection.prepareStatement("SELECT body FROM part_bodies WHERE sha256 = ?")) {
      select.setBytes(1, key.toByteArray());
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          throw new SQLException("a stored agent's part refers to a body the store does not hold");
        }
        return rows.getBytes(1);
      }
    }
  }
}

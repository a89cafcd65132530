package db.migration;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.proto.PackageStatuses;
import io.opampfleet.server.internal.store.PartBodies;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Agents' large parts refer to their bodies by SHA-256, each body stored once: agents of one build
 * report equal components and those of one rollout equal effective configs. A migration in Java
 * because the two stores share no SQL function for the hash.
 */
public class V19__Part_bodies extends BaseJavaMigration {
  private static final int BATCH = 500;

  @Override
  public void migrate(Context context) throws Exception {
    Connection connection = context.getConnection();
    try (Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE part_bodies (sha256 BYTEA PRIMARY KEY, body BYTEA NOT NULL,"
          + " stored_at BIGINT NOT NULL)");
      statement.execute("ALTER TABLE agent_parts ADD COLUMN body_sha256 BYTEA");
    }
    moveBodies(connection);
    try (Statement statement = connection.createStatement()) {
      statement.execute("ALTER TABLE agent_parts DROP COLUMN body");
      // The index first: H2 then backs the foreign key with it rather than with one of its own.
      statement.execute("CREATE INDEX agent_parts_by_body ON agent_parts (body_sha256)");
      statement.execute("ALTER TABLE agent_parts ADD CONSTRAINT agent_parts_body FOREIGN KEY (body_sha256)"
          + " REFERENCES part_bodies (sha256)");
    }
  }

  /**
   * A few hundred rows at a time, in the primary key's order from where the last pass ended: a fleet's
   * components can be gigabytes.
   */
  private static void moveBodies(Connection connection) throws Exception {
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    Set<ByteString> stored = new HashSet<>();
    long now = System.currentTimeMillis();
    // The first condition alone bounds the index range; the second skips the rows of the last uid already read.
    try (PreparedStatement select = connection.prepareStatement("SELECT instance_uid, part, body FROM agent_parts"
             + " WHERE instance_uid >= ? AND (instance_uid > ? OR part > ?) ORDER BY instance_uid, part"
             + " FETCH FIRST " + BATCH + " ROWS ONLY");
         PreparedStatement insert = connection.prepareStatement(
             "INSERT INTO part_bodies (sha256, body, stored_at) VALUES (?, ?, ?)");
         PreparedStatement refer = connection.prepareStatement(
             "UPDATE agent_parts SET body_sha256 = ? WHERE instance_uid = ? AND part = ?")) {
      String uid = "";
      String part = "";
      for (int read = BATCH; read == BATCH; ) {
        read = 0;
        select.setString(1, uid);
        select.setString(2, uid);
        select.setString(3, part);
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            read++;
            uid = rows.getString(1);
            part = rows.getString(2);
            byte[] body = reencoded(part, rows.getBytes(3));
            if (body == null) {
              continue;
            }
            byte[] hash = sha256.digest(body);
            if (stored.add(ByteString.copyFrom(hash))) {
              insert.setBytes(1, hash);
              insert.setBytes(2, body);
              insert.setLong(3, now);
              insert.addBatch();
            }
            refer.setBytes(1, hash);
            refer.setString(2, uid);
            refer.setString(3, part);
            refer.addBatch();
          }
        }
        insert.executeBatch();
        refer.executeBatch();
      }
    }
  }

  /**
   * The body encoded as the server now writes bodies, maps in key order: agents that list the same
   * entries in another order (Go's maps have none) then share one body.
   */
  private static byte[] reencoded(String part, byte[] body) throws Exception {
    Parser<? extends Message> parser = switch (part) {
      case "effective_config" -> EffectiveConfig.parser();
      case "package_statuses" -> PackageStatuses.parser();
      case "available_components" -> AvailableComponents.parser();
      default -> null;
    };
    if (body == null || parser == null) {
      return body;
    }
    return PartBodies.encoded(parser.parseFrom(body));
  }
}

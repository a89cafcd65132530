package io.opampfleet.server.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.ComponentDetails;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.inventory.AgentSnapshot;
import io.opampfleet.server.settings.ServerSettings.Storage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store written by an earlier version of the server opens with what it held. */
class StoreUpgradeTest {
  @TempDir
  Path dir;

  @Test
  void agentsDesiredStatesKeptInTheirOwnRowsMoveToTheirOwnTable() throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("fleet") + ";DB_CLOSE_ON_EXIT=FALSE";
    Flyway.configure().dataSource(url, "sa", "").locations("classpath:db/migration").target("16").load().migrate();
    try (Connection connection = DriverManager.getConnection(url, "sa", "");
        Statement statement = connection.createStatement()) {
      statement.execute("INSERT INTO agents (instance_uid, capabilities, connected, connected_since, last_seen,"
          + " desired_config, desired_version, desired_local, desired_at) VALUES"
          + " ('wants-web', 1, FALSE, 1, 5, 'web', 2, FALSE, 9),"
          + " ('wants-local', 1, FALSE, 1, 5, NULL, NULL, TRUE, 3),"
          + " ('wants-nothing', 1, FALSE, 1, 5, NULL, NULL, FALSE, 0)");
    }
    ConfigVersion web = new ConfigVersion("web", 2, "receivers: {}", "bb".repeat(32), "ops", "", Instant.EPOCH);

    Database database = Database.open(new Storage(dir, Optional.empty(), "", "", "test"));
    Map<String, AgentSnapshot> agents;
    try {
      List<AgentSnapshot> loaded = AgentRows.loadAll(database,
          (name, version) -> name.equals("web") && version == 2 ? web : null, replica -> false);
      agents = loaded.stream().collect(Collectors.toMap(AgentSnapshot::uid, Function.identity()));
    } finally {
      database.close();
    }

    assertThat(agents).containsOnlyKeys("wants-web", "wants-local", "wants-nothing");
    assertThat(agents.get("wants-web").desired()).isEqualTo(web);
    // Decided after its last message: still on its way.
    assertThat(agents.get("wants-web").desiredInFlight()).isTrue();
    assertThat(agents.get("wants-local").desiresLocal()).isTrue();
    assertThat(agents.get("wants-local").desired()).isNull();
    assertThat(agents.get("wants-nothing").desired()).isNull();
    assertThat(agents.get("wants-nothing").desiresLocal()).isFalse();
  }
  @Test
  void agentsLargePartsKeptInTheirRowsMoveToRowsOfTheirOwn() throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("fleet") + ";DB_CLOSE_ON_EXIT=FALSE";
    Flyway.configure().dataSource(url, "sa", "").locations("classpath:db/migration").target("17").load().migrate();
    EffectiveConfig config = EffectiveConfig.newBuilder().setConfigMap(AgentConfigMap.newBuilder().putConfigMap("",
        AgentConfigFile.newBuilder().setBody(ByteString.copyFromUtf8("receivers: {}")).build())).build();
    AvailableComponents components = AvailableComponents.newBuilder().setHash(ByteString.copyFromUtf8("c")).build();
    try (Connection connection = DriverManager.getConnection(url, "sa", "");
        PreparedStatement insert = connection.prepareStatement("INSERT INTO agents (instance_uid, capabilities,"
            + " connected, connected_since, last_seen, effective_config, available_components, held_by)"
            + " VALUES (?, 1, FALSE, 1, 5, ?, ?, 'server-1')")) {
      insert.setString(1, "reported-all");
      insert.setBytes(2, config.toByteArray());
      insert.setBytes(3, components.toByteArray());
      insert.executeUpdate();
      insert.setString(1, "reported-little");
      insert.setBytes(2, null);
      insert.setBytes(3, null);
      insert.executeUpdate();
    }

    Database database = Database.open(new Storage(dir, Optional.empty(), "", "", "test"));
    Map<String, AgentSnapshot> agents;
    try {
      agents = AgentRows.loadAll(database, (name, version) -> null, replica -> false).stream()
          .collect(Collectors.toMap(AgentSnapshot::uid, Function.identity()));
    } finally {
      database.close();
    }

    assertThat(agents.get("reported-all").effectiveConfig()).isEqualTo(config);
    assertThat(agents.get("reported-all").availableComponents()).isEqualTo(components);
    assertThat(agents.get("reported-all").packageStatuses()).isNull();
    assertThat(agents.get("reported-little").effectiveConfig()).isNull();
    assertThat(agents.get("reported-little").availableComponents()).isNull();
  }

  @Test
  void agentsLargePartsRowsReferToTheirBodiesStoredOnce() throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("fleet") + ";DB_CLOSE_ON_EXIT=FALSE";
    Flyway.configure().dataSource(url, "sa", "").locations("classpath:db/migration").target("18").load().migrate();
    AvailableComponents components = AvailableComponents.newBuilder().setHash(ByteString.copyFromUtf8("c"))
        .putComponents("receivers", ComponentDetails.getDefaultInstance())
        .putComponents("exporters", ComponentDetails.getDefaultInstance()).build();
    // The same list with its entries in the other order, as Go collectors send maps.
    AvailableComponents reordered = AvailableComponents.newBuilder().setHash(ByteString.copyFromUtf8("c"))
        .putComponents("exporters", ComponentDetails.getDefaultInstance())
        .putComponents("receivers", ComponentDetails.getDefaultInstance()).build();
    assertThat(reordered.toByteArray()).isNotEqualTo(components.toByteArray());
    try (Connection connection = DriverManager.getConnection(url, "sa", "");
        Statement statement = connection.createStatement();
        PreparedStatement insert = connection.prepareStatement("INSERT INTO agent_parts (instance_uid, part, body,"
            + " written_by) VALUES (?, 'available_components', ?, 'server-1')")) {
      // More than one pass of the move's (500 rows), one agent without the part among them.
      for (int i = 0; i < 1_200; i++) {
        String uid = i == 700 ? "none" : "agent-" + i;
        statement.execute("INSERT INTO agents (instance_uid, capabilities, connected, connected_since, last_seen,"
            + " held_by) VALUES ('" + uid + "', 1, FALSE, 1, 5, 'server-1')");
        insert.setString(1, uid);
        insert.setBytes(2, uid.equals("none") ? null : (i % 2 == 0 ? components : reordered).toByteArray());
        insert.executeUpdate();
      }
    }

    Database database = Database.open(new Storage(dir, Optional.empty(), "", "", "test"));
    Map<String, AgentSnapshot> agents;
    long bodies;
    try {
      agents = AgentRows.loadAll(database, (name, version) -> null, replica -> false).stream()
          .collect(Collectors.toMap(AgentSnapshot::uid, Function.identity()));
      bodies = new Sql(database).query("SELECT COUNT(*) FROM part_bodies", row -> row.getLong(1)).get(0);
    } finally {
      database.close();
    }

    assertThat(bodies).isEqualTo(1);
    assertThat(agents).hasSize(1_200);
    agents.forEach((uid, agent) -> assertThat(agent.availableComponents()).as(uid)
        .isEqualTo(uid.equals("none") ? null : components));
  }
}

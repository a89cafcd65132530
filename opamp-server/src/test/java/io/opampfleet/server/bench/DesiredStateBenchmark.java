package io.opampfleet.server.bench;

import com.google.protobuf.ByteString;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.ComponentDetails;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.inventory.Reports;
import io.opampfleet.server.internal.store.Database;
import io.opampfleet.server.internal.store.WriteBehind;
import io.opampfleet.server.settings.ServerSettings.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * How fast the embedded store takes a rollout wave's desired states: through the server's own path
 * (the writer, into the narrow table that holds them), next to the layout before it in the same run
 * (the same four columns updated in each agent's wide row, batched and committed as the writer did).
 * Every agent holds an effective config and a list of available components of 1.4 KB each, as
 * collectors report them.
 *
 * <p>Run with {@code scripts/store-benchmark desired [agents]}.
 */
public final class DesiredStateBenchmark {
  private static final int ROUNDS = 3;
  private static final int PART_BYTES = 1_400;

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 18_000;
    System.out.printf("desired-state benchmark: %d agents, %d rounds, %d cores, the embedded store%n", count,
        ROUNDS, Runtime.getRuntime().availableProcessors());
    Path dir = Files.createTempDirectory("desired-benchmark");
    try (Database database = Database.open(new Storage(dir, Optional.empty(), "", "", "bench"))) {
      Inventory inventory = new Inventory();
      Reports reports = new Reports(inventory);
      List<Agent> agents = StoreBenchmark.agents(reports, inventory, count);
      try (WriteBehind writes = new WriteBehind(database, "bench")) {
        CompletableFuture<Void> last = null;
        for (Agent agent : agents) {
          reports.apply(agent, wideParts(), "127.0.0.1:4000", System.currentTimeMillis());
          last = writes.agent(agent);
        }
        last.join();
        copyAsTheLayoutBefore(database);
        for (int round = 1; round <= ROUNDS; round++) {
          double before = wideRowUpdates(database, agents, round);
          double now = throughTheWriter(writes, agents, round);
          System.out.printf("round %d: in the agents' wide rows (before): %,8.0f /s | in their own table, through"
              + " the writer: %,8.0f /s (%.1f times)%n", round, before, now, now / before);
        }
      }
    }
  }

  private static double throughTheWriter(WriteBehind writes, List<Agent> agents, int round) {
    ConfigVersion version = new ConfigVersion("web", round, "receivers: {}", "ab".repeat(32), "bench", "",
        Instant.EPOCH);
    long start = System.nanoTime();
    CompletableFuture<Void> last = null;
    for (Agent agent : agents) {
      agent.desire(version);
      last = writes.desired(agent);
    }
    last.join();
    return agents.size() / ((System.nanoTime() - start) / 1e9);
  }

  /** The agents' rows as they were laid out before, with the desired state among their columns. */
  private static void copyAsTheLayoutBefore(Database database) throws Exception {
    try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE agents_before AS SELECT * FROM agents");
      statement.execute("ALTER TABLE agents_before ALTER COLUMN instance_uid SET NOT NULL");
      statement.execute("ALTER TABLE agents_before ADD PRIMARY KEY (instance_uid)");
      statement.execute("ALTER TABLE agents_before ADD COLUMN desired_config VARCHAR(128)");
      statement.execute("ALTER TABLE agents_before ADD COLUMN desired_version INTEGER");
      statement.execute("ALTER TABLE agents_before ADD COLUMN desired_local BOOLEAN DEFAULT FALSE NOT NULL");
      statement.execute("ALTER TABLE agents_before ADD COLUMN desired_at BIGINT DEFAULT 0 NOT NULL");
    }
  }

  /** 5,000 updates a transaction, each forced to disk, as the writer commits. */
  private static double wideRowUpdates(Database database, List<Agent> agents, int round) throws Exception {
    long start = System.nanoTime();
    try (Connection connection = database.connection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement update = connection.prepareStatement("UPDATE agents_before SET desired_config = ?,"
          + " desired_version = ?, desired_local = ?, desired_at = ? WHERE instance_uid = ?")) {
        for (int from = 0; from < agents.size(); from += 5_000) {
          for (Agent agent : agents.subList(from, Math.min(agents.size(), from + 5_000))) {
            update.setString(1, "web");
            update.setInt(2, round);
            update.setBoolean(3, false);
            update.setLong(4, System.currentTimeMillis());
            update.setString(5, agent.uid());
            update.addBatch();
          }
          update.executeBatch();
          database.commitDurably(connection);
        }
      }
    }
    return agents.size() / ((System.nanoTime() - start) / 1e9);
  }

  private static AgentToServer wideParts() {
    AvailableComponents.Builder components = AvailableComponents.newBuilder()
        .setHash(ByteString.copyFromUtf8("components"));
    for (int i = 0; components.build().getSerializedSize() < PART_BYTES; i++) {
      components.putComponents("receiver-" + i, ComponentDetails.getDefaultInstance());
    }
    return AgentToServer.newBuilder()
        .setEffectiveConfig(EffectiveConfig.newBuilder().setConfigMap(AgentConfigMap.newBuilder()
            .putConfigMap("collector.yaml", AgentConfigFile.newBuilder()
                .setBody(ByteString.copyFromUtf8("x".repeat(PART_BYTES))).build())))
        .setAvailableComponents(components)
        .build();
  }
}

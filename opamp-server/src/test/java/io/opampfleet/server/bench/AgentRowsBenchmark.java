package io.opampfleet.server.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.ComponentDetails;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.AgentSnapshot;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.inventory.Reports;
import io.opampfleet.server.internal.store.Database;
import io.opampfleet.server.internal.store.WriteBehind;
import io.opampfleet.server.settings.ServerSettings.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * How fast the embedded store takes agents' rows through the server's own path (the writer), next to
 * the layout before in the same run, where an agent was one wide row: a rollout wave's desired states
 * (now a narrow table of their own) and status reports (now the agents row without its large parts,
 * which are written only when they change). Every agent holds an effective config and a list of
 * available components of 1.4 KB each, as collectors report them; the layout before is written
 * batched and committed as the writer did.
 *
 * <p>Run with {@code scripts/store-benchmark rows [agents]}.
 */
public final class AgentRowsBenchmark {
  private static final int ROUNDS = 3;
  private static final int PART_BYTES = 1_400;
  private static final int BATCH = 5_000;
  /** The agents row before the desired state and the large parts left it. */
  private static final String WIDE_ROW = "MERGE INTO agents_before (instance_uid, description, capabilities, health,"
      + " effective_config, remote_config_status, package_statuses, available_components, connected,"
      + " connected_since, last_seen, remote_address, certificate_subject, certificate_sha256,"
      + " certificate_pending_sha256, held_by, revision) KEY (instance_uid)"
      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 18_000;
    System.out.printf("agent-rows benchmark: %d agents, %d rounds, %d cores, the embedded store%n", count,
        ROUNDS, Runtime.getRuntime().availableProcessors());
    Path dir = Files.createTempDirectory("agent-rows-benchmark");
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
          double now = desiredThroughTheWriter(writes, agents, round);
          System.out.printf("round %d, desired states: in the agents' wide rows (before): %,8.0f /s | in their own"
              + " table, through the writer: %,8.0f /s (%.1f times)%n", round, before, now, now / before);
        }
        for (int round = 1; round <= ROUNDS; round++) {
          double before = wideRowReports(database, reports, agents, round);
          double now = reportsThroughTheWriter(writes, reports, agents, round);
          System.out.printf("round %d, status reports: the agents' wide rows (before): %,8.0f /s | their rows"
              + " without the unchanged parts, through the writer: %,8.0f /s (%.1f times)%n", round, before, now,
              now / before);
        }
      }
    } finally {
      StoreBenchmark.deleteStore(dir);
    }
  }

  private static double desiredThroughTheWriter(WriteBehind writes, List<Agent> agents, int round) {
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

  private static double reportsThroughTheWriter(WriteBehind writes, Reports reports, List<Agent> agents, int round) {
    long start = System.nanoTime();
    CompletableFuture<Void> last = null;
    for (Agent agent : agents) {
      reports.apply(agent, statusReport(round, true), "127.0.0.1:4000", System.currentTimeMillis());
      last = writes.agent(agent);
    }
    last.join();
    return agents.size() / ((System.nanoTime() - start) / 1e9);
  }

  /** The agents' rows as they were laid out before: the desired state and the large parts among the columns. */
  private static void copyAsTheLayoutBefore(Database database) throws Exception {
    try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE agents_before AS SELECT agents.*, e.body AS effective_config,"
          + " p.body AS package_statuses, c.body AS available_components FROM agents"
          + StoreBenchmark.partBody("e", "effective_config") + StoreBenchmark.partBody("p", "package_statuses")
          + StoreBenchmark.partBody("c", "available_components"));
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
        for (int from = 0; from < agents.size(); from += BATCH) {
          for (Agent agent : agents.subList(from, Math.min(agents.size(), from + BATCH))) {
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

  /** Each agent's status report, its whole wide row merged as the writer did: 5,000 a transaction. */
  private static double wideRowReports(Database database, Reports reports, List<Agent> agents, int round)
      throws Exception {
    long start = System.nanoTime();
    try (Connection connection = database.connection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement merge = connection.prepareStatement(WIDE_ROW)) {
        for (int from = 0; from < agents.size(); from += BATCH) {
          for (Agent agent : agents.subList(from, Math.min(agents.size(), from + BATCH))) {
            // Applied to the agent as the writer's reports are, so both measure the same work before the store.
            reports.apply(agent, statusReport(round, false), "127.0.0.1:4000", System.currentTimeMillis());
            bindWideRow(merge, agent.snapshot());
            merge.addBatch();
          }
          merge.executeBatch();
          database.commitDurably(connection);
        }
      }
    }
    return agents.size() / ((System.nanoTime() - start) / 1e9);
  }

  private static void bindWideRow(PreparedStatement merge, AgentSnapshot agent) throws SQLException {
    int i = 1;
    merge.setString(i++, agent.uid());
    merge.setBytes(i++, bytes(agent.description()));
    merge.setLong(i++, agent.capabilities());
    merge.setBytes(i++, bytes(agent.health()));
    merge.setBytes(i++, bytes(agent.effectiveConfig()));
    merge.setBytes(i++, bytes(agent.remoteConfigStatus()));
    merge.setBytes(i++, bytes(agent.packageStatuses()));
    merge.setBytes(i++, bytes(agent.availableComponents()));
    merge.setBoolean(i++, true);
    merge.setLong(i++, agent.connectedSince());
    merge.setLong(i++, agent.lastSeen());
    merge.setString(i++, agent.remoteAddress());
    merge.setString(i++, agent.certificateSubject());
    merge.setString(i++, agent.certificateSha256());
    merge.setString(i++, agent.pendingCertificateSha256());
    merge.setString(i++, "bench");
    merge.setLong(i, agent.revision());
  }

  private static byte[] bytes(MessageLite message) {
    return message == null ? null : message.toByteArray();
  }

  /** A health report that differs from the agent's last one, so that every report is news to store. */
  private static AgentToServer statusReport(int round, boolean throughTheWriter) {
    return AgentToServer.newBuilder().setHealth(ComponentHealth.newBuilder().setHealthy(true)
        .setStatus("round " + round + (throughTheWriter ? " through the writer" : " in the wide rows"))).build();
  }

  private static AgentToServer wideParts() {
    return AgentToServer.newBuilder()
        .setEffectiveConfig(EffectiveConfig.newBuilder().setConfigMap(AgentConfigMap.newBuilder()
            .putConfigMap("collector.yaml", AgentConfigFile.newBuilder()
                .setBody(ByteString.copyFromUtf8("x".repeat(PART_BYTES))).build())))
        .setAvailableComponents(components())
        .build();
  }

  /** Available components of about {@value #PART_BYTES} bytes, as a collector reports them. */
  static AvailableComponents components() {
    AvailableComponents.Builder components = AvailableComponents.newBuilder()
        .setHash(ByteString.copyFromUtf8("components"));
    for (int i = 0; components.build().getSerializedSize() < PART_BYTES; i++) {
      components.putComponents("receiver-" + i, ComponentDetails.getDefaultInstance());
    }
    return components.build();
  }
}

package io.opampfleet.server.bench;

import com.google.protobuf.ByteString;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.AgentSnapshot;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.inventory.Reports;
import io.opampfleet.server.internal.inventory.SharedMessages;
import io.opampfleet.server.internal.store.AgentRows;
import io.opampfleet.server.internal.store.Database;
import io.opampfleet.server.internal.store.WriteBehind;
import io.opampfleet.server.settings.ServerSettings.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.flywaydb.core.Flyway;

/**
 * Agents' large parts on the embedded store: every agent connects reporting a contrib build's
 * available components (35 KB) and a 1.4 KB effective config, a rollout's wave gives them all one new
 * config, which each reports applied, and the server reads them all back as it does at its start.
 * Through the server's writer and reads (each distinct body stored once), next to the layout before
 * in the same run (each agent's part rows holding their bodies, merged 5,000 a transaction with each
 * commit forced to disk, as the writer did). Prints each phase's time and the store's file size.
 *
 * <p>Run with {@code scripts/store-benchmark parts [agents (18000)]}.
 */
public final class PartBodiesBenchmark {
  private static final int BATCH = 5_000;
  private static final String LAYOUT_BEFORE = "18";

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 18_000;
    byte[] connecting = ComponentListsBenchmark.contribComponents().toBuilder()
        .setEffectiveConfig(effective("v1")).build().toByteArray();
    byte[] applied = AgentToServer.newBuilder().setEffectiveConfig(effective("v2")).build().toByteArray();
    System.out.printf("part-bodies benchmark: %,d agents connecting with %,d bytes of components and config, then"
        + " a wave; %d cores, the embedded store%n", count, connecting.length,
        Runtime.getRuntime().availableProcessors());
    for (int round = 1; round <= 2; round++) {
      Phases before = bodiesInTheirRows(count, connecting, applied);
      Phases now = throughTheWriter(count, connecting, applied);
      System.out.printf("round %d, agents connecting: bodies in each agent's rows (before) %,6d ms, store %,5d MB |"
          + " each body once, through the writer %,6d ms, store %,5d MB%n", round, before.connectMillis,
          before.connectBytes >> 20, now.connectMillis, now.connectBytes >> 20);
      System.out.printf("round %d, a wave's applied configs: bodies in each agent's rows (before) %,6d ms, store"
          + " %,5d MB | each body once, through the writer %,6d ms, store %,5d MB%n", round, before.waveMillis,
          before.waveBytes >> 20, now.waveMillis, now.waveBytes >> 20);
      System.out.printf("round %d, every agent read back whole (the server's start): bodies in each agent's rows"
          + " (before) %,6d ms | each body once %,6d ms%n", round, before.loadMillis, now.loadMillis);
    }
  }

  private record Phases(long connectMillis, long connectBytes, long waveMillis, long waveBytes, long loadMillis) {}

  private static Phases throughTheWriter(int count, byte[] connecting, byte[] applied) throws Exception {
    Path dir = Files.createTempDirectory("part-bodies-benchmark");
    try (Database database = Database.open(new Storage(dir, Optional.empty(), "", "", "bench"));
         WriteBehind writes = new WriteBehind(database, "bench")) {
      return measure(dir, count, connecting, applied, (reports, agents, report) -> writeAll(writes, reports, agents,
          report), () -> AgentRows.loadAll(database, (name, version) -> null, replica -> false).stream()
          .map(AgentSnapshot::availableComponents).toList());
    } finally {
      StoreBenchmark.deleteStore(dir);
    }
  }

  /** How one layout stores the agents' reports, as the server's writer would. */
  private interface Writes {
    void write(Reports reports, List<Agent> agents, byte[] report) throws Exception;
  }

  /** How one layout reads every agent back whole: their components. */
  private interface ReadBack {
    List<AvailableComponents> read() throws Exception;
  }

  private static Phases measure(Path dir, int count, byte[] connecting, byte[] applied, Writes writes,
      ReadBack readBack) throws Exception {
    Inventory inventory = new Inventory();
    Reports reports = new Reports(inventory);
    List<Agent> agents = StoreBenchmark.agents(reports, inventory, count);
    long connectMillis = timed(() -> writes.write(reports, agents, connecting));
    long connectBytes = storeBytes(dir);
    long waveMillis = timed(() -> writes.write(reports, agents, applied));
    long waveBytes = storeBytes(dir);
    long loadMillis = timed(() -> loaded(readBack.read(), count));
    return new Phases(connectMillis, connectBytes, waveMillis, waveBytes, loadMillis);
  }

  /** Each agent's report parsed apart, as its connection's is, applied and written. */
  private static void writeAll(WriteBehind writes, Reports reports, List<Agent> agents, byte[] report)
      throws Exception {
    CompletableFuture<Void> last = null;
    for (Agent agent : agents) {
      reports.apply(agent, AgentToServer.parseFrom(report), "127.0.0.1:4000", System.currentTimeMillis());
      last = writes.agent(agent);
    }
    last.join();
  }

  private static Phases bodiesInTheirRows(int count, byte[] connecting, byte[] applied) throws Exception {
    Path dir = Files.createTempDirectory("part-bodies-benchmark-before");
    try {
      String url = "jdbc:h2:file:" + dir.resolve("fleet") + ";DB_CLOSE_ON_EXIT=FALSE";
      Flyway.configure().dataSource(url, "sa", "").locations("classpath:db/migration").target(LAYOUT_BEFORE).load()
          .migrate();
      try (Connection connection = DriverManager.getConnection(url, "sa", "")) {
        connection.setAutoCommit(false);
        Phases phases = measure(dir, count, connecting, applied, (reports, agents, report) -> mergeAll(connection,
            reports, agents, report), () -> readBodiesInTheirRows(connection));
        try (Statement statement = connection.createStatement()) {
          statement.execute("SHUTDOWN");
        }
        return phases;
      }
    } finally {
      StoreBenchmark.deleteStore(dir);
    }
  }

  /** The agents row and each changed part with its body, 5,000 agents a transaction forced to disk. */
  private static void mergeAll(Connection connection, Reports reports, List<Agent> agents, byte[] report)
      throws Exception {
    try (PreparedStatement agentRow = connection.prepareStatement("MERGE INTO agents (instance_uid, capabilities,"
             + " connected, connected_since, last_seen, held_by, revision) KEY (instance_uid)"
             + " VALUES (?, 1, TRUE, 1, ?, 'bench', ?)");
         PreparedStatement part = connection.prepareStatement("MERGE INTO agent_parts (instance_uid, part, body,"
             + " written_by) KEY (instance_uid, part) VALUES (?, ?, ?, 'bench')");
         Statement sync = connection.createStatement()) {
      for (int from = 0; from < agents.size(); from += BATCH) {
        for (Agent agent : agents.subList(from, Math.min(agents.size(), from + BATCH))) {
          AgentToServer parsed = AgentToServer.parseFrom(report);
          reports.apply(agent, parsed, "127.0.0.1:4000", System.currentTimeMillis());
          agentRow.setString(1, agent.uid());
          agentRow.setLong(2, System.currentTimeMillis());
          agentRow.setLong(3, agent.snapshot().revision());
          agentRow.addBatch();
          if (parsed.hasAvailableComponents()) {
            addPart(part, agent, "available_components", agent.snapshot().availableComponents().toByteArray());
          }
          addPart(part, agent, "effective_config", agent.snapshot().effectiveConfig().toByteArray());
        }
        agentRow.executeBatch();
        part.executeBatch();
        connection.commit();
        sync.execute("CHECKPOINT SYNC");
      }
    }
  }

  /** Every agent's large parts as the server read them at its start: each row's bodies, parsed; their components. */
  private static List<AvailableComponents> readBodiesInTheirRows(Connection connection) throws Exception {
    List<AvailableComponents> agents = new ArrayList<>();
    try (Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery("SELECT agents.instance_uid, e.body, c.body FROM agents"
             + " LEFT JOIN agent_parts e ON e.instance_uid = agents.instance_uid AND e.part = 'effective_config'"
             + " LEFT JOIN agent_parts c ON c.instance_uid = agents.instance_uid AND c.part = 'available_components'")) {
      while (rows.next()) {
        EffectiveConfig.parseFrom(rows.getBytes(2));
        agents.add(SharedMessages.COMPONENTS.of(AvailableComponents.parseFrom(rows.getBytes(3))));
      }
    }
    return agents;
  }

  private static void loaded(List<AvailableComponents> components, int count) {
    if (components.size() != count || components.stream().anyMatch(Objects::isNull)) {
      throw new IllegalStateException("the agents read back are not those written");
    }
  }

  private static void addPart(PreparedStatement part, Agent agent, String name, byte[] body) throws Exception {
    part.setString(1, agent.uid());
    part.setString(2, name);
    part.setBytes(3, body);
    part.addBatch();
  }

  static EffectiveConfig effective(String version) {
    return EffectiveConfig.newBuilder().setConfigMap(AgentConfigMap.newBuilder().putConfigMap("collector.yaml",
        AgentConfigFile.newBuilder().setBody(ByteString.copyFromUtf8("# " + version + "\n" + "x".repeat(1_400)))
            .build())).build();
  }

  private interface Work {
    void run() throws Exception;
  }

  private static long timed(Work work) throws Exception {
    long start = System.nanoTime();
    work.run();
    return (System.nanoTime() - start) / 1_000_000;
  }

  private static long storeBytes(Path dir) throws Exception {
    try (var files = Files.list(dir)) {
      return files.mapToLong(file -> file.toFile().length()).sum();
    }
  }
}

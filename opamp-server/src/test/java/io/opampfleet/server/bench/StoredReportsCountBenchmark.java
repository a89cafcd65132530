package io.opampfleet.server.bench;

import io.opampfleet.peers.PostgresContainer;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.inventory.Reports;
import io.opampfleet.server.internal.store.AgentRows;
import io.opampfleet.server.internal.store.Database;
import io.opampfleet.server.internal.store.WriteBehind;
import io.opampfleet.server.settings.ServerSettings.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What each server sharing PostgreSQL pays, every 5 s, to count the reported state of the agents not
 * connected to it ({@link AgentRows#notConnectedTo}, the ceiling on what strangers make the store hold):
 * a fleet written through the server's writer, agents of one contrib build (one components list) with
 * one effective config but for a tenth with a config of their own, connected to three servers (by the
 * last two characters of their uid: about 6, 5 and 5 sixteenths) but for a sixteenth that left. Next to the cheapest full reads of the same two tables in the same
 * run (counting their rows), the floor any count over every agent pays.
 *
 * <p>Run with {@code scripts/store-benchmark stored-count [agents (50000)] [rounds (5)]}.
 */
public final class StoredReportsCountBenchmark {
  private static final List<String> SERVERS = List.of("a", "b", "c");

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Path dir = Files.createTempDirectory("stored-count-benchmark");
    try (PostgresContainer postgres = new PostgresContainer()) {
      postgres.start();
      try (Database database = Database.open(new Storage(dir, Optional.of(postgres.jdbcUrl()), postgres.username(),
          postgres.password(), "a"))) {
        long filled = fill(database, count);
        update(database, "ANALYZE");
        System.out.printf("stored-count benchmark: %,d agents written in %,d ms; %d cores, PostgreSQL in a"
            + " container on the same machine%n", count, filled, Runtime.getRuntime().availableProcessors());
        for (int round = 1; round <= rounds; round++) {
          long floorStart = System.nanoTime();
          long rows = number(database, "SELECT COUNT(*) FROM agents")
              + number(database, "SELECT COUNT(*) FROM agent_parts");
          long floorMicros = (System.nanoTime() - floorStart) / 1_000;
          long countStart = System.nanoTime();
          AgentRows.StoredReports stored = AgentRows.notConnectedTo(database, "a");
          long countMicros = (System.nanoTime() - countStart) / 1_000;
          System.out.printf("round %d: counting the agents' and parts' rows (the floor, %,d rows) %,7.1f ms |"
              + " the agents not connected to one server %,7.1f ms (%,d agents, %,d bytes); three servers every"
              + " 5 s: %.1f%% of a core%n", round, rows, floorMicros / 1e3, countMicros / 1e3, stored.agents(),
              stored.bytes(), 100.0 * SERVERS.size() * countMicros / 5e6);
        }
      }
    } finally {
      StoreBenchmark.deleteStore(dir);
    }
  }

  /** Every agent's first report through the server's writer, then who holds it; returns the time taken. */
  private static long fill(Database database, int count) throws Exception {
    long start = System.nanoTime();
    AgentToServer components = ComponentListsBenchmark.contribComponents();
    AgentToServer shared = components.toBuilder().setEffectiveConfig(PartBodiesBenchmark.effective("shared")).build();
    Inventory inventory = new Inventory();
    Reports reports = new Reports(inventory);
    List<Agent> agents = StoreBenchmark.agents(reports, inventory, count);
    try (WriteBehind writes = new WriteBehind(database, "a")) {
      CompletableFuture<Void> last = null;
      for (int i = 0; i < agents.size(); i++) {
        AgentToServer report = i % 10 == 0
            ? components.toBuilder().setEffectiveConfig(PartBodiesBenchmark.effective("own " + i)).build() : shared;
        reports.apply(agents.get(i), report, "127.0.0.1:4000", System.currentTimeMillis());
        last = writes.agent(agents.get(i));
      }
      last.join();
    }
    // Connected to the three servers by their uid's last two characters, but for those whose last is 0 (left).
    update(database, "UPDATE agents SET connected = RIGHT(instance_uid, 1) <> '0', held_by = CASE"
        + " MOD(ASCII(RIGHT(instance_uid, 2)), 3) WHEN 0 THEN 'a' WHEN 1 THEN 'b' ELSE 'c' END");
    return (System.nanoTime() - start) / 1_000_000;
  }

  private static void update(Database database, String sql) throws SQLException {
    try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static long number(Database database, String query) throws SQLException {
    try (Connection connection = database.connection(); Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery(query)) {
      rows.next();
      return rows.getLong(1);
    }
  }
}

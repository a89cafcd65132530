package io.opampfleet.server.bench;

import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.inventory.Reports;
import io.opampfleet.server.internal.store.Database;
import io.opampfleet.server.internal.store.WriteBehind;
import io.opampfleet.server.settings.ServerSettings.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The embedded store's file while a fleet reports: every agent reports a changed status in rounds
 * through the server's own write path (inventory, write behind, a forced commit per batch), so the
 * data stays the same size and whatever the file grows by is space H2 does not give back. Measured
 * on the store as the migrations leave it, and, as the baseline in the same run, with the index on
 * agents' last-message time that the store had until V16 created again. Prints the file's size at
 * each quarter of each run.
 *
 * <p>Run with {@code scripts/store-growth-benchmark [agents] [minutes a run] [pause between rounds, ms]}.
 */
public final class StoreGrowthBenchmark {
  public static void main(String[] args) throws Exception {
    int agents = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
    double minutes = args.length > 1 ? Double.parseDouble(args[1]) : 4;
    long pauseMillis = args.length > 2 ? Long.parseLong(args[2]) : 500;
    System.out.printf("store growth benchmark: %d agents reporting in rounds %d ms apart, %.1f min a run, %d cores%n",
        agents, pauseMillis, minutes, Runtime.getRuntime().availableProcessors());
    Path dir = Files.createTempDirectory("store-growth");
    run("with the index dropped in V16 (the baseline)", dir.resolve("before"), agents, minutes, pauseMillis,
        "CREATE INDEX agents_by_last_seen ON agents (last_seen)");
    run("the store as the migrations leave it", dir.resolve("now"), agents, minutes, pauseMillis, null);
  }

  private static void run(String name, Path dir, int count, double minutes, long pauseMillis, String change)
      throws Exception {
    Path file = dir.resolve("fleet.mv.db");
    List<String> quarters = new ArrayList<>();
    long rounds = 0;
    try (Database database = Database.open(new Storage(dir, Optional.empty(), "", "", "bench"));
        WriteBehind writes = new WriteBehind(database, "bench")) {
      if (change != null) {
        try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
          statement.execute(change);
        }
      }
      Inventory inventory = new Inventory();
      Reports reports = new Reports(inventory);
      List<Agent> agents = StoreBenchmark.agents(reports, inventory, count);
      long start = System.nanoTime();
      long quarter = (long) (minutes * 60e9 / 4);
      for (int q = 1; q <= 4; q++) {
        while (System.nanoTime() < start + q * quarter) {
          StoreBenchmark.round(writes, reports, agents, ++rounds);
          Thread.sleep(pauseMillis);
        }
        quarters.add(String.format("%.0f", Files.size(file) / 1048576.0));
      }
    }
    System.out.printf("%-46s file at each quarter: %s MiB (%,d rounds, %,d reports)%n", name,
        String.join(" / ", quarters), rounds, rounds * count);
    StoreBenchmark.deleteStore(dir);
  }
}

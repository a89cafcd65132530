package io.opampfleet.server.bench;

import com.google.protobuf.ByteString;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.AgentEvent;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.inventory.Reports;
import io.opampfleet.server.internal.store.Database;
import io.opampfleet.server.internal.store.RolloutAgentRow;
import io.opampfleet.server.internal.store.WriteBehind;
import io.opampfleet.server.settings.ServerSettings.Storage;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/**
 * A rollout wave's writes on the embedded store, through the server's writer, as the server makes them:
 * every agent's desired config and CONFIG_SENT event at the wave's start, then each agent's APPLIED
 * report (its row, the new effective config, a CONFIG_APPLIED event, its attempt DONE) as the agents
 * report at a steady rate. Prints when the last report is stored (the rollout's "recorded") and how
 * long each report waits for its commit, for each limit of changes a transaction, fresh store each,
 * in turns over four rounds after a wave to warm up; the first limit is the baseline. Agents hold
 * collector-sized parts.
 *
 * <p>Run with {@code scripts/store-benchmark wave [agents (18000)] [reports a second (9000)]
 * [limits (5000,20000,50000)]}.
 */
public final class WaveWritesBenchmark {
  private static final int ROUNDS = 4;
  private static final int PART_BYTES = 1_400;

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 18_000;
    int perSecond = args.length > 1 ? Integer.parseInt(args[1]) : 9_000;
    int[] limits = Arrays.stream((args.length > 2 ? args[2] : "5000,20000,50000").split(","))
        .mapToInt(Integer::parseInt).toArray();
    System.out.printf("wave-writes benchmark: %d agents reporting APPLIED at %d/s, %d cores, the embedded store,"
        + " %d rounds; changes a transaction: %s (the first is the baseline)%n", count, perSecond,
        Runtime.getRuntime().availableProcessors(), ROUNDS, Arrays.toString(limits));
    // A wave first to compile the code paths, so that the first limit measured does not pay for it.
    wave(count, perSecond, limits[0]);
    for (int round = 1; round <= ROUNDS; round++) {
      for (int i = 0; i < limits.length; i++) {
        // Every other round in the reverse order: neither limit always runs on a machine warmed by the other.
        int limit = limits[round % 2 == 1 ? i : limits.length - 1 - i];
        Result result = wave(count, perSecond, limit);
        System.out.printf("round %d, at most %,6d a transaction: last report stored %,6d ms after the wave began"
                + " (%,6d ms after it was sent) | a report's wait for its commit p50 %,5d ms, p99 %,5d ms |"
                + " %,d rows in %d transactions, %,d ms of CPU%n", round, limit, result.lastStoredMillis,
            result.tailMillis, result.p50Millis, result.p99Millis, result.rows, result.transactions, result.cpuMillis);
      }
    }
  }

  private record Result(long lastStoredMillis, long tailMillis, long p50Millis, long p99Millis, long rows,
      long transactions, long cpuMillis) {}

  private static Result wave(int count, int perSecond, int limit) throws Exception {
    Path dir = Files.createTempDirectory("wave-writes-benchmark");
    try {
      return wave(dir, count, perSecond, limit);
    } finally {
      StoreBenchmark.deleteStore(dir);
    }
  }

  private static Result wave(Path dir, int count, int perSecond, int limit) throws Exception {
    try (Database database = Database.open(new Storage(dir, Optional.empty(), "", "", "bench"));
         WriteBehind writes = new WriteBehind(database, "bench", limit)) {
      Inventory inventory = new Inventory();
      Reports reports = new Reports(inventory);
      List<Agent> agents = StoreBenchmark.agents(reports, inventory, count);
      ConfigVersion before = version(1);
      ConfigVersion target = version(2);
      long rolloutId = 1;
      insertRollout(database, rolloutId);
      AgentToServer parts = AgentToServer.newBuilder().setEffectiveConfig(effective(before))
          .setAvailableComponents(AgentRowsBenchmark.components()).build();
      CompletableFuture<Void> last = null;
      for (Agent agent : agents) {
        reports.apply(agent, parts, "127.0.0.1:4000", System.currentTimeMillis());
        writes.agent(agent);
        // The rollout's attempts, stored with the rollout as it is created, before any config goes out.
        last = writes.rolloutAgent(attempt(rolloutId, agent, "APPLYING"));
      }
      last.join();
      System.gc();
      long batchesBefore = writes.batches();
      long rowsBefore = writes.rowsWritten();

      long cpuBefore = processCpuNanos();
      long start = System.nanoTime();
      for (Agent agent : agents) {
        agent.desire(target);
        writes.desired(agent);
        writes.event(new AgentEvent(agent.uid(), System.currentTimeMillis(), AgentEvent.Kind.CONFIG_SENT,
            target.label() + " (rollout 1, wave 1)"));
      }
      long[] waits = new long[count];
      List<CompletableFuture<Void>> stored = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        LockSupport.parkNanos(start + i * 1_000_000_000L / perSecond - System.nanoTime());
        Agent agent = agents.get(i);
        long sent = System.nanoTime();
        List<CompletableFuture<Void>> writesOfOne = new ArrayList<>();
        reports.apply(agent, applied(target), "127.0.0.1:4000", System.currentTimeMillis())
            .forEach(event -> writesOfOne.add(writes.event(event)));
        writesOfOne.add(writes.agent(agent));
        writesOfOne.add(writes.rolloutAgent(attempt(rolloutId, agent, "DONE")));
        int index = i;
        stored.add(CompletableFuture.allOf(writesOfOne.toArray(CompletableFuture[]::new))
            .thenRun(() -> waits[index] = System.nanoTime() - sent));
      }
      long lastSent = System.nanoTime();
      CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new)).join();
      long end = System.nanoTime();
      Arrays.sort(waits);
      return new Result((end - start) / 1_000_000, (end - lastSent) / 1_000_000, waits[count / 2] / 1_000_000,
          waits[count * 99 / 100] / 1_000_000, writes.rowsWritten() - rowsBefore, writes.batches() - batchesBefore,
          (processCpuNanos() - cpuBefore) / 1_000_000);
    }
  }

  /** CPU time of this whole process: the writer, the store's own threads and the collector of garbage. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static ConfigVersion version(int version) {
    String body = "receivers: {}\n# " + "v".repeat(PART_BYTES) + version;
    return new ConfigVersion("web", version, body, ConfigVersion.sha256(body), "bench", "", Instant.EPOCH);
  }

  private static EffectiveConfig effective(ConfigVersion version) {
    return EffectiveConfig.newBuilder().setConfigMap(AgentConfigMap.newBuilder().putConfigMap("collector.yaml",
        AgentConfigFile.newBuilder().setBody(ByteString.copyFromUtf8(version.body())).build())).build();
  }

  private static AgentToServer applied(ConfigVersion version) {
    return AgentToServer.newBuilder()
        .setEffectiveConfig(effective(version))
        .setRemoteConfigStatus(RemoteConfigStatus.newBuilder()
            .setLastRemoteConfigHash(ByteString.copyFrom(version.hashBytes()))
            .setStatus(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED))
        .build();
  }

  private static RolloutAgentRow attempt(long rolloutId, Agent agent, String state) {
    return new RolloutAgentRow(rolloutId, agent.uid(), 1, state, "web", 1, null, System.currentTimeMillis(), null,
        false);
  }

  private static void insertRollout(Database database, long id) throws Exception {
    try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
      statement.execute("INSERT INTO rollouts (id, selector, config_name, version, waves, bake_millis, budget,"
          + " timeout_millis, state, current_wave, created_by, created_at, ended_at) VALUES (" + id
          + ", 'env=bench', 'web', 2, '100%', 0, '0', 600000, 'RUNNING', 1, 'bench', 0, 0)");
    }
  }
}

package io.opampfleet.server.bench;

import com.google.protobuf.ByteString;
import io.opampfleet.peers.PostgresContainer;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.inventory.Reports;
import io.opampfleet.server.internal.store.Database;
import io.opampfleet.server.internal.store.WriteBehind;
import io.opampfleet.server.settings.ServerSettings.Storage;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * What the web UI's fleet table costs at fleet size, and what the fleet costs a server in memory:
 * a store with N agents (default 50,000) is started on by a real server, then each query the table
 * makes (first page, a selector, a sort by label, the last page, the counts) is timed over HTTP, 30
 * times each, and printed as p50/p99. Run on the embedded store (the baseline: a server alone keeps
 * every agent in memory) and on PostgreSQL (servers sharing it read the fleet from the store and
 * keep only the agents connected to them), with the heap each server keeps after a full GC.
 * Usage: scripts/fleet-table-benchmark [agents] [h2,postgresql]
 */
public final class FleetTableBenchmark {
  private static final int RUNS = 30;
  /** What a small collector reports running: a receiver, a processor and an exporter per signal (1.4 KB). */
  private static final EffectiveConfig EFFECTIVE = EffectiveConfig.newBuilder().setConfigMap(AgentConfigMap.newBuilder()
      .putConfigMap("", AgentConfigFile.newBuilder().setContentType("text/yaml").setBody(ByteString.copyFromUtf8(
          ("receivers:\n  otlp:\n    protocols:\n      grpc: {endpoint: 0.0.0.0:4317}\n      http: {endpoint: 0.0.0.0:4318}\n"
          + "processors:\n  batch: {send_batch_size: 8192, timeout: 5s}\n  memory_limiter: {check_interval: 1s, limit_mib: 512}\n"
          + "exporters:\n  otlphttp: {endpoint: https://telemetry.example.com:4318, compression: gzip}\n"
          + "service:\n  telemetry: {metrics: {level: normal}}\n  pipelines:\n"
          + "    traces: {receivers: [otlp], processors: [memory_limiter, batch], exporters: [otlphttp]}\n"
          + "    metrics: {receivers: [otlp], processors: [memory_limiter, batch], exporters: [otlphttp]}\n"
          + "    logs: {receivers: [otlp], processors: [memory_limiter, batch], exporters: [otlphttp]}\n").repeat(2))).build())
      .build()).build();

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
    List<String> stores = List.of((args.length > 1 ? args[1] : "h2,postgresql").split(","));
    System.out.printf("fleet table benchmark: %,d agents, %d cores, JDK %s%n", count,
        Runtime.getRuntime().availableProcessors(), Runtime.version().feature());
    for (String store : stores) {
      switch (store) {
        case "h2" -> run("h2 (embedded)", count, Optional.empty());
        case "postgresql" -> {
          try (PostgresContainer postgres = new PostgresContainer()) {
            postgres.start();
            run("postgresql", count, Optional.of(postgres.jdbcUrl()));
          }
        }
        default -> throw new IllegalArgumentException("stores are h2 and postgresql, not " + store);
      }
    }
  }

  private static void run(String store, int count, Optional<String> jdbcUrl) throws Exception {
    Path dir = Files.createTempDirectory("fleet-table-benchmark");
    long seeded = System.nanoTime();
    seed(dir.resolve("data"), jdbcUrl, count);
    System.out.printf("%n%s: %,d agents stored in %.1f s%n", store, count, (System.nanoTime() - seeded) / 1e9);
    long heapBefore = heapUsed();
    try (TestFleet fleet = new TestFleet(dir, jdbcUrl)) {
      long started = System.nanoTime();
      fleet.start();
      System.out.printf("server start: %.1f s%n", (System.nanoTime() - started) / 1e9);
      long kept = heapUsed() - heapBefore;
      System.out.printf("heap kept by the server at rest: %.1f MiB (%,d bytes per stored agent)%n",
          kept / 1048576.0, kept / count);
      AdminClient viewer = fleet.admin(TestFleet.VIEWER);
      Map<String, String> queries = new LinkedHashMap<>();
      queries.put("first page (50, by uid)", "/api/v1/agents?page=1&size=50");
      queries.put("selector env=prod,tier in (web,api)", "/api/v1/agents?selector=env%3Dprod%2Ctier%20in%20(web%2Capi)&size=50");
      queries.put("sorted by label.service.name, desc", "/api/v1/agents?sort=-label.service.name&size=50");
      queries.put("last page", "/api/v1/agents?page=" + (count / 50) + "&size=50");
      queries.put("unhealthy + selector", "/api/v1/agents?health=unhealthy&selector=env%3Dprod&size=50");
      queries.put("counts (/api/v1/fleet)", "/api/v1/fleet");
      for (Map.Entry<String, String> query : queries.entrySet()) {
        long[] millis = new long[RUNS];
        for (int i = -5; i < RUNS; i++) {
          long start = System.nanoTime();
          AdminClient.Answer answer = viewer.get(query.getValue());
          if (answer.status() != 200) {
            throw new IllegalStateException(query.getKey() + ": HTTP " + answer.status() + " " + answer.body());
          }
          if (i >= 0) {
            millis[i] = (System.nanoTime() - start) / 1_000_000;
          }
        }
        Arrays.sort(millis);
        System.out.printf("%-40s p50 %4d ms   p99 %4d ms%n", query.getKey(), millis[RUNS / 2], millis[RUNS - 1]);
      }
    }
  }

  /** The heap in use after a full collection (several, so that what is unreachable is gone). */
  private static long heapUsed() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      memory.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  /** N agents as a fleet of that size reports them, persisted the server's own way. */
  private static void seed(Path dataDir, Optional<String> jdbcUrl, int count) {
    String[] services = {"checkout", "ingest", "gateway", "search", "billing", "auth", "cart", "edge"};
    String[] envs = {"prod", "staging", "dev"};
    String[] tiers = {"web", "api", "batch", "db"};
    String user = jdbcUrl.isPresent() ? "fleet" : "";
    try (Database database = Database.open(new Storage(dataDir, jdbcUrl, user, user, "bench"));
        WriteBehind writes = new WriteBehind(database, "bench")) {
      Inventory inventory = new Inventory();
      Reports reports = new Reports(inventory);
      CompletableFuture<Void> last = CompletableFuture.completedFuture(null);
      for (int i = 0; i < count; i++) {
        Agent agent = inventory.add(UUID.randomUUID().toString());
        reports.apply(agent, AgentToServer.newBuilder()
            .setAgentDescription(AgentDescription.newBuilder()
                .addIdentifyingAttributes(attribute("service.name", services[i % services.length]))
                .addIdentifyingAttributes(attribute("env", envs[i % envs.length]))
                .addIdentifyingAttributes(attribute("tier", tiers[i % tiers.length]))
                .addNonIdentifyingAttributes(attribute("host.name", "host-" + i)))
            .setCapabilities(0x1fff)
            .setHealth(ComponentHealth.newBuilder().setHealthy(i % 17 != 0).setStatus("StatusOK"))
            .setEffectiveConfig(EFFECTIVE)
            .build(), "10.0.0.1:" + (10_000 + i % 50_000), System.currentTimeMillis());
        last = writes.agent(agent);
      }
      last.join();
    }
  }

  private static KeyValue attribute(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }
}

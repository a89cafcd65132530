package io.opampfleet.server.bench;

import com.google.protobuf.ByteString;
import io.opampfleet.peers.PostgresContainer;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.AgentSnapshot;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.inventory.Reports;
import io.opampfleet.server.internal.store.Database;
import io.opampfleet.server.internal.store.WriteBehind;
import io.opampfleet.server.settings.ServerSettings.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * How many agent status updates per second the server persists, on H2 and on PostgreSQL, next
 * to a raw batched upsert of the same rows over plain JDBC in the same run: the raw figure is
 * what the store can do, the other what the server gets out of it. Each round, every agent
 * reports a changed health and config status through the server's own path (inventory, write
 * behind) and the round ends when the last report is committed, as agents wait for answers.
 *
 * On PostgreSQL also with three servers writing at once, each its third of the agents.
 *
 * <p>Run with {@code scripts/store-benchmark [agents] [seconds]}.
 */
public final class StoreBenchmark {
  public static void main(String[] args) throws Exception {
    int agents = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    System.out.printf("store benchmark: %d agents, %d s per measurement, %d cores%n", agents, seconds,
        Runtime.getRuntime().availableProcessors());
    Path dir = Files.createTempDirectory("store-benchmark");
    try {
      measure("H2", new Storage(dir.resolve("h2"), Optional.empty(), "", "", "bench"), agents, seconds);
      try (PostgresContainer postgres = new PostgresContainer()) {
        postgres.start();
        double raw = measure("PostgreSQL", storage(dir, postgres, "bench"), agents, seconds);
        sharedByThree(dir, postgres, agents, seconds, raw);
      }
    } finally {
      deleteStore(dir);
    }
  }

  private static Storage storage(Path dir, PostgresContainer postgres, String replica) {
    return new Storage(dir, Optional.of(postgres.jdbcUrl()), postgres.username(), postgres.password(), replica);
  }

  /** A join of each agent's {@code part} body (from its row and the body it refers to) as {@code alias}.body. */
  static String partBody(String alias, String part) {
    return " LEFT JOIN agent_parts " + alias + "_part ON " + alias + "_part.instance_uid = agents.instance_uid AND "
        + alias + "_part.part = '" + part + "' LEFT JOIN part_bodies " + alias + " ON " + alias + ".sha256 = "
        + alias + "_part.body_sha256";
  }

  /** Deletes a benchmark's store directory: a run leaves hundreds of MB per store behind otherwise. */
  static void deleteStore(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  static List<Agent> agents(Reports reports, Inventory inventory, int count) {
    List<Agent> agents = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Agent agent = inventory.add(UUID.randomUUID().toString());
      reports.apply(agent, first(i), "127.0.0.1:" + (10_000 + i % 50_000), System.currentTimeMillis());
      reports.apply(agent, update(0), "127.0.0.1:" + (10_000 + i % 50_000), System.currentTimeMillis());
      agents.add(agent);
    }
    return agents;
  }

  /**
   * Three servers sharing the store, each with its own pool and writer and a third of the agents,
   * all reporting at once (as three replicas on this machine would); compared with the raw figure.
   */
  private static void sharedByThree(Path dir, PostgresContainer postgres, int count, int seconds, double raw)
      throws Exception {
    Inventory inventory = new Inventory();
    Reports reports = new Reports(inventory);
    List<Agent> agents = agents(reports, inventory, count);
    List<String> names = List.of("a", "b", "c");
    List<Database> databases = new ArrayList<>();
    List<WriteBehind> writers = new ArrayList<>();
    try {
      for (String name : names) {
        databases.add(Database.open(storage(dir, postgres, name)));
        writers.add(new WriteBehind(databases.get(databases.size() - 1), name));
      }
      List<List<Agent>> thirds = new ArrayList<>();
      for (int i = 0; i < names.size(); i++) {
        thirds.add(agents.subList(i * count / names.size(), (i + 1) * count / names.size()));
      }
      LongConsumer allAtOnce = round -> IntStream.range(0, names.size())
          .parallel().forEach(i -> round(writers.get(i), reports, thirds.get(i), round));
      allAtOnce.accept(0);
      long rounds = 0;
      long start = System.nanoTime();
      long end = start + seconds * 1_000_000_000L;
      while (System.nanoTime() < end) {
        allAtOnce.accept(++rounds);
      }
      double persisted = rounds * (double) count / ((System.nanoTime() - start) / 1e9);
      System.out.printf("%-10s persisted status updates, three servers writing: %,10.0f /s (%.0f%% of one raw"
          + " writer)%n", "PostgreSQL", persisted, 100 * persisted / raw);
    } finally {
      writers.forEach(WriteBehind::close);
      databases.forEach(Database::close);
    }
  }

  /** Returns the raw figure. */
  private static double measure(String name, Storage storage, int count, int seconds) throws Exception {
    try (Database database = Database.open(storage)) {
      Inventory inventory = new Inventory();
      Reports reports = new Reports(inventory);
      List<Agent> agents = agents(reports, inventory, count);
      double raw = rawUpserts(database, agents, seconds);
      double persisted;
      try (WriteBehind writes = new WriteBehind(database, "bench")) {
        round(writes, reports, agents, 0);
        long rounds = 0;
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
          round(writes, reports, agents, ++rounds);
        }
        persisted = rounds * (double) count / ((System.nanoTime() - start) / 1e9);
      }
      System.out.printf("%-10s raw batched upsert: %,10.0f rows/s | persisted status updates: %,10.0f /s (%.0f%% of raw)%n",
          name, raw, persisted, 100 * persisted / raw);
      return raw;
    }
  }

  /** Every agent reports once; returns when the last report is committed. */
  static void round(WriteBehind writes, Reports reports, List<Agent> agents, long round) {
    CompletableFuture<Void> last = null;
    long now = System.currentTimeMillis();
    for (Agent agent : agents) {
      reports.apply(agent, update(round), "127.0.0.1:4000", now);
      last = writes.agent(agent);
    }
    last.join();
  }

  /** The same rows written straight with JDBC: batches of 5,000, one commit each. */
  private static double rawUpserts(Database database, List<Agent> agents, int seconds) throws Exception {
    List<AgentSnapshot> rows = agents.stream().map(Agent::snapshot).toList();
    String sql = database.dialect().upsert("agents", List.of("instance_uid", "description", "capabilities", "health",
        "remote_config_status", "connected", "connected_since", "last_seen", "remote_address", "certificate_subject",
        "certificate_sha256"), 1);
    long written = 0;
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    try (Connection connection = database.connection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement upsert = connection.prepareStatement(sql)) {
        while (System.nanoTime() < end) {
          for (int from = 0; from < rows.size(); from += 5_000) {
            for (AgentSnapshot row : rows.subList(from, Math.min(rows.size(), from + 5_000))) {
              int i = 1;
              upsert.setString(i++, row.uid());
              upsert.setBytes(i++, row.description().toByteArray());
              upsert.setLong(i++, row.capabilities());
              upsert.setBytes(i++, row.health().toByteArray());
              upsert.setBytes(i++, row.remoteConfigStatus().toByteArray());
              upsert.setBoolean(i++, true);
              upsert.setLong(i++, row.connectedSince());
              upsert.setLong(i++, System.currentTimeMillis());
              upsert.setString(i++, row.remoteAddress());
              upsert.setString(i++, "CN=" + row.uid());
              upsert.setString(i, "");
              upsert.addBatch();
            }
            upsert.executeBatch();
            connection.commit();
            written += Math.min(5_000, rows.size() - from);
          }
        }
      }
    }
    return written / ((System.nanoTime() - start) / 1e9);
  }

  private static AgentToServer first(int i) {
    return AgentToServer.newBuilder()
        .setAgentDescription(AgentDescription.newBuilder()
            .addIdentifyingAttributes(attribute("service.name", "otelcol-fleet"))
            .addIdentifyingAttributes(attribute("service.instance.id", UUID.randomUUID().toString()))
            .addNonIdentifyingAttributes(attribute("host.name", "host-" + i))
            .addNonIdentifyingAttributes(attribute("os.type", "linux")))
        .setCapabilities(0x1fff)
        .build();
  }

  private static AgentToServer update(long round) {
    return AgentToServer.newBuilder()
        .setSequenceNum(round + 1)
        .setHealth(ComponentHealth.newBuilder().setHealthy(round % 2 == 0).setStatus("StatusOK")
            .setStatusTimeUnixNano(System.nanoTime())
            .putComponentHealthMap("pipeline:traces", ComponentHealth.newBuilder().setHealthy(true).setStatus("StatusOK").build()))
        .setRemoteConfigStatus(RemoteConfigStatus.newBuilder()
            .setLastRemoteConfigHash(ByteString.copyFromUtf8("hash-" + round))
            .setStatus(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED))
        .build();
  }

  private static KeyValue attribute(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }
}

package io.opampfleet.server.bench;

import io.opampfleet.peers.PostgresContainer;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.simulated.SimulatedAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How long a push takes to reach its agent when the agent is connected to another server sharing
 * the PostgreSQL store, against the same push made on the server that holds the agent (the
 * baseline, measured in the same run): two servers on one PostgreSQL, agents on the second, each
 * push timed from the API call to the agent running the config. Prints p50/p99 of each.
 * Usage: scripts/replica-latency-benchmark [pushes (200)] [agents (20)]
 */
public final class ReplicaLatencyBenchmark {
  private static final int WARM_UP = 10;

  public static void main(String[] args) throws Exception {
    int pushes = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int agentCount = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    PostgresContainer postgres = new PostgresContainer();
    postgres.start();
    Path dir = Files.createTempDirectory("replica-latency");
    TestFleet replicaA = new TestFleet(dir.resolve("a"), Optional.of(postgres.jdbcUrl())).start();
    TestFleet replicaB = new TestFleet(dir.resolve("b"), Optional.of(postgres.jdbcUrl())).start();
    List<SimulatedAgent> agents = new ArrayList<>();
    try {
      for (int i = 0; i < agentCount; i++) {
        agents.add(replicaB.agent(Map.of("service.name", "bench-" + i), SimulatedAgent.newUid(), false).start());
      }
      AdminClient onA = replicaA.admin(TestFleet.OPERATOR);
      AdminClient onB = replicaB.admin(TestFleet.OPERATOR);
      List<String> bodies = List.of("receivers: {nop: {}}\n", "receivers: {nop/other: {}}\n");
      for (String body : bodies) {
        onA.post("/api/v1/configs/bench/versions", Map.of("body", body));
      }
      for (SimulatedAgent agent : agents) {
        while (onA.get("/api/v1/agents/" + agent.uid()).status() != 200) {
          Thread.sleep(50);
        }
      }
      long[] local = time(onB, agents, bodies, pushes);
      long[] crossReplica = time(onA, agents, bodies, pushes);
      System.out.printf("pushes %d over %d agents held by replica B (2 cores, PostgreSQL 15 in a container)%n",
          pushes, agentCount);
      print("push on B, the agent's own replica (baseline)", local);
      print("push on A, reaching the agent through PostgreSQL", crossReplica);
    } finally {
      agents.forEach(SimulatedAgent::close);
      replicaB.close();
      replicaA.close();
      postgres.stop();
    }
  }

  /** Each push alternates an agent between the two versions and waits for it to run the new one. */
  private static long[] time(AdminClient operator, List<SimulatedAgent> agents, List<String> bodies, int pushes)
      throws InterruptedException {
    long[] micros = new long[pushes];
    for (int i = -WARM_UP; i < pushes; i++) {
      int index = Math.floorMod(i, agents.size());
      SimulatedAgent agent = agents.get(index);
      int version = agent.running().equals(bodies.get(0)) ? 1 : 0;
      long start = System.nanoTime();
      AdminClient.Answer answer = operator.post("/api/v1/agents/" + agent.uid() + "/config",
          Map.of("config", "bench", "version", version + 1));
      if (answer.status() >= 300) {
        throw new IllegalStateException("push refused: " + answer.body());
      }
      while (!agent.running().equals(bodies.get(version))) {
        Thread.sleep(0, 200_000);
      }
      if (i >= 0) {
        micros[i] = (System.nanoTime() - start) / 1000;
      }
    }
    Arrays.sort(micros);
    return micros;
  }

  private static void print(String what, long[] sortedMicros) {
    int n = sortedMicros.length;
    System.out.printf("%-50s p50 %6.1f ms   p99 %6.1f ms   max %6.1f ms%n", what, sortedMicros[n / 2] / 1000.0,
        sortedMicros[(int) Math.ceil(n * 0.99) - 1] / 1000.0, sortedMicros[n - 1] / 1000.0);
  }
}

package io.opampfleet.supervisor.bench;

import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.OpampServer;
import io.opampfleet.netty.server.ServerCallbacks;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ServerToAgent;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The supervisor as users run it (bin/supervisor, its JVM flags included): time from launch to
 * connected upstream with the collector reporting healthy, and the supervisor's resident memory
 * once settled. Arguments: the launcher, the collector binary, [runs, default 5].
 */
public final class SupervisorStartBenchmark {
  private SupervisorStartBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path launcher = Path.of(args[0]);
    Path collector = Path.of(args[1]);
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    List<Long> startMillis = new ArrayList<>();
    List<Long> residentKib = new ArrayList<>();
    for (int run = 0; run < runs; run++) {
      CompletableFuture<Long> healthy = new CompletableFuture<>();
      try (OpampServer server = OpampServer.builder().bind(new InetSocketAddress("127.0.0.1", 0))
          .callbacks(new ServerCallbacks() {
            @Override
            public CompletionStage<ServerToAgent> onMessage(AgentConnection connection, AgentToServer message) {
              if (message.getHealth().getHealthy()) {
                healthy.complete(System.nanoTime());
              }
              return CompletableFuture.completedFuture(ServerToAgent.newBuilder().setCapabilities(1).build());
            }
          }).start()) {
        Path dir = Files.createTempDirectory("supervisor-bench");
        Path config = Files.writeString(dir.resolve("supervisor.yaml"), """
            server: {endpoint: ws://127.0.0.1:%d/v1/opamp}
            capabilities: {accepts_remote_config: true}
            storage: {directory: %s}
            agent: {executable: %s}
            """.formatted(server.address().getPort(), dir.resolve("storage"), collector));
        long launched = System.nanoTime();
        Process supervisor = new ProcessBuilder(launcher.toString(), "--config", config.toString())
            .redirectErrorStream(true).redirectOutput(dir.resolve("supervisor.log").toFile()).start();
        try {
          long connectedHealthy = healthy.get(60, TimeUnit.SECONDS);
          startMillis.add(TimeUnit.NANOSECONDS.toMillis(connectedHealthy - launched));
          Thread.sleep(3000);
          residentKib.add(residentKib(supervisor.pid()));
        } finally {
          supervisor.destroy();
          supervisor.waitFor(30, TimeUnit.SECONDS);
        }
      }
    }
    System.out.println("supervisor start to connected with the collector healthy, ms: " + startMillis
        + "  (median " + median(startMillis) + ", target <= 1000)");
    System.out.println("supervisor resident memory after 3 s, MiB: "
        + residentKib.stream().map(kib -> String.format("%.1f", kib / 1024.0)).toList()
        + "  (median " + String.format("%.1f", median(residentKib) / 1024.0) + ", target <= 64)");
  }

  private static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  /** VmRSS of the JVM the launcher started (the launcher execs java, so the pid is the JVM's). */
  private static long residentKib(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }
}

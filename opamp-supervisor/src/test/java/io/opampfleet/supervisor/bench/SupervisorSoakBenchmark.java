package io.opampfleet.supervisor.bench;

import com.google.protobuf.ByteString;
import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.OpampServer;
import io.opampfleet.netty.server.ServerCallbacks;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.AgentRemoteConfig;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.proto.ServerToAgent;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * bin/supervisor under work for a while: a new remote config every minute, its collector killed
 * every five (the supervisor starts it again), its resident memory sampled every 30 s into a CSV.
 * Prints the first and last ten minutes' mean and a verdict. Arguments: the launcher, the collector
 * binary, the CSV to write, [minutes, default 60].
 */
public final class SupervisorSoakBenchmark {
  private static final long SAMPLE_MILLIS = 30_000;
  private static final int CONFIG_EVERY_SAMPLES = 2;
  private static final int KILL_EVERY_SAMPLES = 10;

  private SupervisorSoakBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path launcher = Path.of(args[0]);
    Path collector = Path.of(args[1]);
    Path csv = Path.of(args[2]);
    int minutes = args.length > 3 ? Integer.parseInt(args[3]) : 60;
    AtomicReference<AgentConnection> connection = new AtomicReference<>();
    AtomicInteger applied = new AtomicInteger();
    try (OpampServer server = OpampServer.builder().bind(new InetSocketAddress("127.0.0.1", 0))
        .callbacks(new ServerCallbacks() {
          @Override
          public CompletionStage<ServerToAgent> onMessage(AgentConnection from, AgentToServer message) {
            connection.set(from);
            if (message.getRemoteConfigStatus().getStatus() == RemoteConfigStatuses.RemoteConfigStatuses_APPLIED) {
              applied.incrementAndGet();
            }
            return CompletableFuture.completedFuture(ServerToAgent.newBuilder().setCapabilities(3).build());
          }
        }).start()) {
      Path dir = Files.createTempDirectory("supervisor-soak");
      Path config = Files.writeString(dir.resolve("supervisor.yaml"), """
          server: {endpoint: ws://127.0.0.1:%d/v1/opamp}
          capabilities: {accepts_remote_config: true, reports_remote_config: true, reports_health: true}
          storage: {directory: %s}
          agent: {executable: %s}
          """.formatted(server.address().getPort(), dir.resolve("storage"), collector));
      Process supervisor = new ProcessBuilder(launcher.toString(), "--config", config.toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("supervisor.log").toFile()).start();
      List<long[]> samples = new ArrayList<>();
      int configsSent = 0;
      int kills = 0;
      try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(csv))) {
        out.println("minute,rss_kib,pss_kib,configs_sent,configs_applied,collector_kills");
        long started = System.nanoTime();
        for (int sample = 1; sample <= minutes * 60_000L / SAMPLE_MILLIS; sample++) {
          Thread.sleep(Math.max(0, started / 1_000_000 + sample * SAMPLE_MILLIS - System.nanoTime() / 1_000_000));
          if (!supervisor.isAlive()) {
            throw new IllegalStateException("the supervisor exited; see " + dir.resolve("supervisor.log"));
          }
          if (sample > 0 && sample % CONFIG_EVERY_SAMPLES == 0 && connection.get() != null) {
            configsSent++;
            connection.get().send(ServerToAgent.newBuilder().setCapabilities(3).setRemoteConfig(config(configsSent)).build());
          }
          if (sample > 0 && sample % KILL_EVERY_SAMPLES == 5) {
            supervisor.children().forEach(ProcessHandle::destroyForcibly);
            kills++;
          }
          long rss = SupervisorStartBenchmark.kib(supervisor.pid(), "status", "VmRSS:");
          long pss = SupervisorStartBenchmark.kib(supervisor.pid(), "smaps_rollup", "Pss:");
          samples.add(new long[] {rss, pss});
          out.printf("%.1f,%d,%d,%d,%d,%d%n", sample * SAMPLE_MILLIS / 60_000.0, rss, pss, configsSent, applied.get(), kills);
          out.flush();
        }
      } finally {
        List<ProcessHandle> descendants = supervisor.descendants().toList();
        supervisor.destroy();
        supervisor.waitFor(30, TimeUnit.SECONDS);
        descendants.forEach(ProcessHandle::destroyForcibly);
      }
      int window = (int) Math.min(samples.size() / 3, 600_000 / SAMPLE_MILLIS);
      // The first minutes are the JVM settling: the window after them is the baseline.
      int skip = (int) Math.min(samples.size() / 6, 120_000 / SAMPLE_MILLIS);
      double first = samples.subList(skip, skip + window).stream().mapToLong(s -> s[0]).average().orElse(0) / 1024;
      double last = samples.subList(samples.size() - window, samples.size()).stream().mapToLong(s -> s[0]).average()
          .orElse(0) / 1024;
      double growth = (last - first) / first;
      System.out.printf("%d min: %d remote configs sent, %d applied, %d collector kills%n", minutes, configsSent,
          applied.get(), kills);
      System.out.printf("RSS mean, first %d min after %d: %.1f MiB; last %d min: %.1f MiB (%+.1f%%): %s%n",
          window * SAMPLE_MILLIS / 60_000, skip * SAMPLE_MILLIS / 60_000, first, window * SAMPLE_MILLIS / 60_000, last,
          growth * 100, Math.abs(growth) <= 0.05 ? "FLAT" : "GROWING");
      System.out.println("samples: " + csv);
    }
  }

  /** A collector config that differs each round (a nop receiver named after it), so each is applied anew. */
  private static AgentRemoteConfig config(int round) {
    String yaml = """
        receivers: {nop/round%d: {}}
        exporters: {nop: {}}
        service: {pipelines: {traces: {receivers: [nop/round%d], exporters: [nop]}}}
        """.formatted(round, round);
    return AgentRemoteConfig.newBuilder()
        .setConfig(AgentConfigMap.newBuilder().putConfigMap("", AgentConfigFile.newBuilder()
            .setBody(ByteString.copyFromUtf8(yaml)).setContentType("text/yaml").build()))
        .setConfigHash(ByteString.copyFromUtf8("round-" + round))
        .build();
  }
}

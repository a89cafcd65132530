package io.opampfleet.supervisor.bench;

import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.OpampServer;
import io.opampfleet.netty.server.ServerCallbacks;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ServerToAgent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The supervisor as users run it (bin/supervisor, its JVM flags included) next to the Go supervisor
 * in the same run: time from launch to connected upstream with the collector reporting healthy
 * (the collector is then serving), and the supervisor's own resident memory (RSS and PSS, the
 * collector not included) once settled; then, for ours, where that memory goes by the JVM's Native
 * Memory Tracking. Arguments: the launcher, the collector binary, the Go supervisor binary or
 * {@code -}, [runs, default 5].
 */
public final class SupervisorStartBenchmark {
  private static final long SETTLE_MILLIS = 3000;

  private record Run(long startMillis, long rssKib, long pssKib) {}

  private SupervisorStartBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path launcher = Path.of(args[0]);
    Path collector = Path.of(args[1]);
    Path goSupervisor = args[2].equals("-") ? null : Path.of(args[2]);
    int runs = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    Path archive = Files.createTempDirectory("supervisor-bench-cds").resolve("supervisor.jsa");
    Map<String, String> sharing = Map.of("SUPERVISOR_CLASS_ARCHIVE", archive.toString());
    // The first launch records the class archive as it exits (a run of 10 s or more); the measured ones map it.
    measure(List.of(launcher.toString()), collector, sharing, pid -> Thread.sleep(10_000));
    Map<String, List<Run>> results = new LinkedHashMap<>();
    for (int run = 0; run < runs; run++) {
      if (goSupervisor != null) {
        results.computeIfAbsent("Go supervisor v0.149 (baseline)", k -> new ArrayList<>())
            .add(measure(List.of(goSupervisor.toString()), collector, Map.of(), pid -> {}));
      }
      results.computeIfAbsent("bin/supervisor, no class archive", k -> new ArrayList<>())
          .add(measure(List.of(launcher.toString()), collector, Map.of("SUPERVISOR_CLASS_ARCHIVE", "off"), pid -> {}));
      results.computeIfAbsent("bin/supervisor", k -> new ArrayList<>())
          .add(measure(List.of(launcher.toString()), collector, sharing, pid -> {}));
    }
    if (!Files.exists(archive)) {
      throw new IllegalStateException("bin/supervisor recorded no class archive at " + archive);
    }
    System.out.printf("%-34s %28s %20s %20s%n", "", "launch -> collector healthy ms", "RSS MiB", "PSS MiB");
    results.forEach((name, list) -> System.out.printf("%-34s %28s %20s %20s%n", name,
        median(list.stream().map(Run::startMillis).toList()) + " " + list.stream().map(Run::startMillis).toList(),
        mib(median(list.stream().map(Run::rssKib).toList())), mib(median(list.stream().map(Run::pssKib).toList()))));
    System.out.println("(medians of " + runs + " runs; memory read " + SETTLE_MILLIS / 1000
        + " s after the collector reported healthy; targets: <= 500 ms, <= 45 MiB resident)");

    // Native Memory Tracking costs memory of its own, so it gets a run of its own.
    Map<String, Long> committed = new LinkedHashMap<>();
    Map<String, String> tracked = new java.util.HashMap<>(sharing);
    tracked.put("JDK_JAVA_OPTIONS", "-XX:NativeMemoryTracking=summary");
    measure(List.of(launcher.toString()), collector, tracked, pid -> committed.putAll(nmt(pid)));
    System.out.println("bin/supervisor's memory by the JVM's Native Memory Tracking (committed KiB; the"
        + " tracking's own share included; the class archives are 'Shared class space'):");
    committed.forEach((area, kib) -> System.out.printf("  %-28s %8d%n", area, kib));
  }

  private interface PidProbe {
    void read(long pid) throws Exception;
  }

  private static Run measure(List<String> command, Path collector, Map<String, String> env, PidProbe probe)
      throws Exception {
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
          capabilities: {accepts_remote_config: true, reports_health: true}
          storage: {directory: %s}
          agent: {executable: %s}
          """.formatted(server.address().getPort(), dir.resolve("storage"), collector));
      List<String> line = new ArrayList<>(command);
      line.addAll(List.of("--config", config.toString()));
      ProcessBuilder builder = new ProcessBuilder(line).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("supervisor.log").toFile());
      builder.environment().putAll(env);
      long launched = System.nanoTime();
      Process supervisor = builder.start();
      try {
        long connectedHealthy = healthy.get(60, TimeUnit.SECONDS);
        Thread.sleep(SETTLE_MILLIS);
        probe.read(supervisor.pid());
        return new Run(TimeUnit.NANOSECONDS.toMillis(connectedHealthy - launched),
            kib(supervisor.pid(), "status", "VmRSS:"), kib(supervisor.pid(), "smaps_rollup", "Pss:"));
      } finally {
        // A collector its supervisor left behind would hold the ports the next run's collector needs.
        List<ProcessHandle> descendants = supervisor.descendants().toList();
        supervisor.destroy();
        supervisor.waitFor(30, TimeUnit.SECONDS);
        descendants.forEach(ProcessHandle::destroyForcibly);
      }
    }
  }

  /** A figure in KiB from a /proc file of the process (the launcher execs java, so the pid is the JVM's). */
  static long kib(long pid, String file, String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), file))) {
      if (line.startsWith(field)) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no " + field + " in /proc/" + pid + "/" + file);
  }

  private static final Pattern NMT_AREA = Pattern.compile("^-\\s+(.+?) \\(reserved=\\d+KB, committed=(\\d+)KB\\)");
  private static final Pattern NMT_TOTAL = Pattern.compile("^Total: reserved=\\d+KB, committed=(\\d+)KB");

  /** Committed memory by area, read with jcmd from a JVM started with Native Memory Tracking. */
  private static Map<String, Long> nmt(long pid) throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "VM.native_memory", "summary")
        .redirectErrorStream(true).start();
    String report = new String(process.getInputStream().readAllBytes());
    process.waitFor(30, TimeUnit.SECONDS);
    Map<String, Long> areas = new LinkedHashMap<>();
    for (String line : report.lines().map(String::strip).toList()) {
      Matcher total = NMT_TOTAL.matcher(line);
      Matcher area = NMT_AREA.matcher(line);
      if (total.find()) {
        areas.put("Total", Long.parseLong(total.group(1)));
      } else if (area.find() && Long.parseLong(area.group(2)) >= 64) {
        areas.put(area.group(1), Long.parseLong(area.group(2)));
      }
    }
    if (areas.isEmpty()) {
      throw new IllegalStateException("jcmd printed no memory summary: " + report);
    }
    return areas;
  }

  private static String mib(long kib) {
    return String.format("%.1f", kib / 1024.0);
  }

  private static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }
}

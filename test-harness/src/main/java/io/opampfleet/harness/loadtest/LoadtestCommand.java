package io.opampfleet.harness.loadtest;

import io.opampfleet.api.Rollout;
import io.opampfleet.simulated.Behaviour;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code loadtest}: connects many simulated agents over OpAMP, then drives a config rollout on our
 * server through its admin API and measures how long it takes to reach them, from each agent's view.
 */
@Command(name = "loadtest", mixinStandardHelpOptions = true, version = "loadtest 0.1.0",
    description = "Simulates a fleet of OpAMP agents and measures a config rollout across it.",
    subcommands = {CompareCommand.class, WorkerCommand.class})
public final class LoadtestCommand implements Callable<Integer> {
  @Option(names = "--endpoint", description = "OpAMP endpoint: ws, wss, http or https URL (required); give it once"
      + " per server to spread the agents over several")
  List<URI> endpoints;
  @Option(names = "--agents", defaultValue = "1000", description = "Simulated agents (default ${DEFAULT-VALUE})")
  int agents;
  @Option(names = "--ramp", defaultValue = "1000", description = "New connections per second (default ${DEFAULT-VALUE})")
  int ramp;
  @Mixin
  AgentTlsOptions tls = new AgentTlsOptions();
  @Option(names = "--admin-url", description = "Our server's admin URL: drive a rollout there")
  URI adminUrl;
  @Option(names = "--token", description = "Admin API token (operator role)")
  String token;
  @Option(names = "--waves", defaultValue = "100%", description = "Rollout waves (default ${DEFAULT-VALUE})")
  String waves;
  @Option(names = "--failure-budget", defaultValue = "0", description = "Failures allowed per wave (default ${DEFAULT-VALUE})")
  String failureBudget;
  @Option(names = "--fail-fraction", defaultValue = "0",
      description = "Share of agents that report the rolled-out config FAILED (0 to 1)")
  double failFraction;
  @Option(names = "--apply-delay", defaultValue = "0",
      description = "How long an agent takes to apply a config, in ms: 200, uniform:100-500 or exp:200")
  String applyDelay;
  @Option(names = "--observe", description = "Drive nothing: measure a rollout someone else starts on any OpAMP "
      + "server, from its first config received, until every agent has it or --duration ends")
  boolean observe;
  @Option(names = "--duration", defaultValue = "120", description = "Seconds to observe (with --observe)")
  long durationSeconds;
  @Option(names = "--hold", description = "With --observe: keep the agents until --duration ends, whatever their "
      + "configs do (a soak: several rollouts, churn)")
  boolean hold;
  @Option(names = "--headers", split = ",", description = "HTTP headers for every connection: name=value,...")
  java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
  @Option(names = "--heartbeat", defaultValue = "30", description = "Heartbeat interval in seconds until the server sets one")
  long heartbeatSeconds;
  @Option(names = "--status-churn", defaultValue = "0",
      description = "Seconds between each agent's health reports (0: only when something changes)")
  long statusChurnSeconds;
  @Option(names = "--report-bytes", defaultValue = "0", description = "Collector-sized reports: each agent reports"
      + " available components of about this many bytes, and the rolled-out config is about as large, so the"
      + " agent's effective config is too (default 0: small ones)")
  int reportBytes;
  @Option(names = "--reconnect-churn", defaultValue = "0",
      description = "Share of agents that drop and reopen their connection each minute (0 to 1)")
  double reconnectChurn;
  @Option(names = "--timeout", defaultValue = "300", description = "Seconds to wait for connections and for the rollout")
  long timeoutSeconds;
  @Option(names = "--workers", defaultValue = "0", description = "Worker processes to start on this machine, each"
      + " with an equal share of the agents (default ${DEFAULT-VALUE}: all agents in this process)")
  int workers;
  @Option(names = "--remote-workers", defaultValue = "0",
      description = "Workers to wait for from other hosts (loadtest worker --coordinator HOST:PORT)")
  int remoteWorkers;
  @Option(names = "--listen", description = "Where workers join, host:port (default: a free port on loopback)")
  String listen;
  @Option(names = "--report", description = "Directory for results.json")
  Path report;

  public static void main(String[] args) {
    System.exit(new CommandLine(new LoadtestCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    try {
      return run();
    } catch (LoadtestException e) {
      System.err.println("loadtest: " + e.getMessage());
      return 2;
    }
  }

  private int run() throws Exception {
    if (endpoints == null || endpoints.isEmpty()) {
      throw new LoadtestException("--endpoint is needed: the OpAMP URL of the server under test");
    }
    if (agents < 1) {
      throw new LoadtestException("--agents must be at least 1, not " + agents);
    }
    if (ramp < 1) {
      throw new LoadtestException("--ramp must be at least 1 connection per second, not " + ramp);
    }
    if (failFraction < 0 || failFraction > 1 || reconnectChurn < 0 || reconnectChurn > 1) {
      throw new LoadtestException("--fail-fraction and --reconnect-churn are shares from 0 to 1");
    }
    if (workers < 0 || remoteWorkers < 0) {
      throw new LoadtestException("--workers and --remote-workers count processes: 0 or more");
    }
    for (URI endpoint : endpoints) {
      if (!List.of("ws", "wss", "http", "https").contains(String.valueOf(endpoint.getScheme()))) {
        throw new LoadtestException("--endpoint must be a ws, wss, http or https URL, not " + endpoint);
      }
    }
    tls.check(endpoints);
    if (adminUrl != null && token == null) {
      throw new LoadtestException("--admin-url needs --token");
    }
    if (adminUrl != null && observe) {
      throw new LoadtestException("--observe measures someone else's rollout: leave out --admin-url and --token");
    }
    boolean distributed = workers + remoteWorkers > 0;
    if (hold && !observe) {
      throw new LoadtestException("--hold keeps the agents for --duration while observing: give --observe too");
    }
    if (observe && distributed) {
      throw new LoadtestException("--observe runs every agent in this process: leave out --workers and --remote-workers");
    }
    ApplyDelay.parse(applyDelay);
    FleetPlan plan = new FleetPlan(List.copyOf(endpoints), 0, agents, (int) Math.round(agents * failFraction), ramp,
        applyDelay, heartbeatSeconds, statusChurnSeconds, reconnectChurn, Map.copyOf(headers), reportBytes);
    Timeline timeline = new Timeline();
    if (observe) {
      // A rollout may start while agents still connect: the first config any agent gets starts the clock.
      timeline.observe();
    }
    Load load = distributed
        ? new Coordinator(plan, workers, remoteWorkers, listenAddress(), tls.asArguments(), timeline)
        : new AgentFleet(plan, tls.certificates(plan), tls.sources(), timeline);
    ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor();
    AtomicBoolean finished = new AtomicBoolean();
    Thread partialOnExit = new Thread(() -> {
      if (finished.compareAndSet(false, true)) {
        finish(Report.of(agents, timeline, null, 0, true, Map.of(), List.of()));
      }
    }, "partial-report");
    Runtime.getRuntime().addShutdownHook(partialOnExit);
    progress.scheduleAtFixedRate(() -> progressLine(timeline), 1, 1, TimeUnit.SECONDS);
    try {
      System.out.printf("loadtest: %,d agents to %s at %,d connections/s%s%n", agents,
          endpoints.size() == 1 ? endpoints.get(0) : endpoints, ramp,
          distributed ? " from " + (workers + remoteWorkers) + " worker processes" : "");
      long started = System.nanoTime();
      load.connect();
      awaitConnected(timeline, started);
      long heapPerAgent = distributed ? 0 : load.heapBytesPerAgent();
      Rollout rollout;
      try {
        rollout = adminUrl == null ? null : rollout(timeline, load);
        if (observe) {
          observeRollout(timeline);
        }
      } catch (LoadtestException e) {
        Map<String, Double> server = serverMetrics();
        load.close();
        if (finished.compareAndSet(false, true)) {
          finish(Report.of(agents, timeline, null, heapPerAgent, true, server, load.workers()));
        }
        Runtime.getRuntime().removeShutdownHook(partialOnExit);
        throw e;
      }
      // The server's figures while the agents are still connected; the workers' last ones arrive as they stop.
      Map<String, Double> server = serverMetrics();
      load.close();
      if (distributed) {
        heapPerAgent = load.heapBytesPerAgent();
      }
      if (finished.compareAndSet(false, true)) {
        finish(Report.of(agents, timeline, rollout, heapPerAgent, false, server, load.workers()));
      }
      Runtime.getRuntime().removeShutdownHook(partialOnExit);
      if (!load.complete()) {
        System.err.println("loadtest: a worker was lost or failed: its agents' figures are missing from the run");
        return 1;
      }
      return rollout == null || "SUCCEEDED".equals(rollout.state()) || failFraction > 0 ? 0 : 1;
    } finally {
      load.close();
      progress.shutdownNow();
    }
  }

  private InetSocketAddress listenAddress() {
    if (listen == null) {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }
    int colon = listen.lastIndexOf(':');
    try {
      return colon < 0 ? new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(listen))
          : new InetSocketAddress(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      throw new LoadtestException("--listen must be host:port or a port, not " + listen);
    }
  }

  private RolloutDriver server;

  /** The server's own figures from its /metrics, when it is our server and reachable. */
  private synchronized Map<String, Double> serverMetrics() {
    if (adminUrl == null) {
      return Map.of();
    }
    if (server == null) {
      server = new RolloutDriver(adminUrl, token);
    }
    return server.metrics();
  }

  /** Waits, with --observe, until every agent applied or failed a config (unless --hold), or --duration ends. */
  private void observeRollout(Timeline timeline) throws InterruptedException {
    System.out.printf("loadtest: observing for %s%d s; start a rollout on the server%n", hold ? "" : "up to ",
        durationSeconds);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds);
    while (System.nanoTime() < end && (hold || timeline.appliedCount.sum() + timeline.failedCount.sum() < agents)) {
      Thread.sleep(200);
    }
  }

  /** Prints the figures and writes them to --report, if given. */
  private void finish(Report result) {
    result.print(System.out);
    if (report != null) {
      try {
        result.write(report);
        System.out.println("loadtest: results in " + report.resolve("results.json") + " and report.html");
      } catch (java.io.IOException e) {
        System.err.println("loadtest: cannot write the report in " + report + ": " + e.getMessage());
      }
    }
  }

  private final long startedAt = System.nanoTime();
  private long lastConnected;
  private long lastApplied;

  /** One line a second while the run goes on. */
  private void progressLine(Timeline timeline) {
    long connected = timeline.connected.sum();
    long received = timeline.receivedCount.sum();
    long applied = timeline.appliedCount.sum();
    long failed = timeline.failedCount.sum();
    Runtime runtime = Runtime.getRuntime();
    Double backlog = adminUrl == null ? null : serverMetrics().get("opamp_store_queue_depth");
    long reconnected = timeline.reconnected.sum();
    System.out.printf("  %4d s | connected %,d (%,d/s)%s | applying %,d | applied %,d (%,d/s) | failed %,d"
        + " | p99 to APPLIED so far %.0f ms | errors %s | heap %,d MiB%s%n",
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedAt), connected, connected - lastConnected,
        reconnected == 0 ? "" : String.format(" | reconnected %,d", reconnected),
        Math.max(0, received - applied - failed), applied, applied - lastApplied, failed,
        timeline.applied.getValueAtPercentile(99) / 1000.0, timeline.errors(),
        (runtime.totalMemory() - runtime.freeMemory()) >> 20,
        backlog == null ? "" : String.format(" | server store backlog %,.0f", backlog));
    lastConnected = connected;
    lastApplied = applied;
  }

  private void awaitConnected(Timeline timeline, long started) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    // A server nobody reaches is known soon: give up on it after 30 s, not after the whole timeout.
    long firstContact = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.min(30, timeoutSeconds));
    while (timeline.connected.sum() < agents && System.nanoTime() < end
        && (timeline.connected.sum() > 0 || System.nanoTime() < firstContact)) {
      Thread.sleep(200);
    }
    System.out.printf("loadtest: %,d of %,d agents connected in %.1f s%n", timeline.connected.sum(), agents,
        (System.nanoTime() - started) / 1e9);
    if (timeline.connected.sum() == 0) {
      throw new LoadtestException("no agent could connect to " + String.join(", ", endpoints.stream()
          .map(URI::toString).toList()) + " within " + timeoutSeconds
          + " s; errors: " + timeline.errors());
    }
  }

  /** Comment lines of about {@code bytes} in all, as a real config's size (its processors, its comments). */
  private static String padding(int bytes) {
    StringBuilder lines = new StringBuilder();
    while (lines.length() < bytes) {
      lines.append("# ").append("-".repeat(77)).append('\n');
    }
    return lines.toString();
  }

  private Rollout rollout(Timeline timeline, Load load) throws InterruptedException {
    RolloutDriver driver = new RolloutDriver(adminUrl, token);
    String body = "receivers:\n  nop:\nexporters:\n  nop:\nservice:\n  pipelines:\n    traces:\n      receivers: [nop]\n"
        + "      exporters: [nop]\n# loadtest " + UUID.randomUUID() + "\n" + (failFraction > 0 ? Behaviour.FRAGILE + "\n" : "")
        + padding(reportBytes);
    int version = driver.addVersion("loadtest", body);
    load.rolloutStarts(System.nanoTime());
    long id = driver.start("loadtest=true", "loadtest", version, waves, failureBudget,
        Duration.ofSeconds(Math.min(timeoutSeconds, 600)));
    timeline.mark("wave 1");
    System.out.printf("loadtest: rollout %d of loadtest@%d started%n", id, version);
    return driver.follow(id, Duration.ofSeconds(timeoutSeconds), timeline);
  }

}

package io.opampfleet.supervisor;

import com.google.protobuf.ByteString;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentRemoteConfig;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.ConnectionSettingsOffers;
import io.opampfleet.supervisor.compose.OwnTelemetry;
import io.opampfleet.supervisor.storage.PrivateFiles;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.supervisor.bootstrap.AgentBootstrap;
import io.opampfleet.supervisor.bootstrap.BootstrapException;
import io.opampfleet.supervisor.collector.CollectorLink;
import io.opampfleet.supervisor.collector.CollectorProcess;
import io.opampfleet.supervisor.loop.LoopStep;
import io.opampfleet.proto.CommandType;
import io.opampfleet.supervisor.commander.Commander;
import io.opampfleet.supervisor.commander.ConfigValidation;
import io.opampfleet.supervisor.compose.ComposeException;
import io.opampfleet.supervisor.compose.Composed;
import io.opampfleet.supervisor.compose.EffectiveConfigComposer;
import io.opampfleet.supervisor.config.SupervisorConfig;
import io.opampfleet.supervisor.storage.PersistentState;
import io.opampfleet.supervisor.storage.RemoteConfigStore;
import io.opampfleet.supervisor.healthchecker.HealthEndpoint;
import io.opampfleet.supervisor.packages.PackageInstaller;
import java.net.InetSocketAddress;
import java.util.Optional;
import io.opampfleet.supervisor.upstream.ConnectionOffer;
import io.opampfleet.supervisor.upstream.TlsFiles;
import io.opampfleet.supervisor.upstream.Reported;
import io.opampfleet.supervisor.upstream.UpstreamSession;
import io.opampfleet.supervisor.config.SupervisorConfig.Server;
import io.opampfleet.strictyaml.ConfigException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one collector for its OpAMP server, as the Go supervisor does, and never leaves it down:
 * a remote config is APPLIED only once the collector reports healthy on it within
 * agent::config_apply_timeout; otherwise it is FAILED with the reason and the last good config runs
 * again. A collector that dies is restarted with backoff. One thread makes every change. The
 * collector's process is a {@link CollectorProcess}, the session with the server an
 * {@link UpstreamSession}; what is here decides which config runs.
 */
public final class Supervisor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

  private final SupervisorConfig config;
  private final Path storage;
  private final RemoteConfigStore remoteConfigs;
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "supervisor");
    thread.setDaemon(true);
    return thread;
  });
  private final ExecutorService callbacks = Executors.newSingleThreadExecutor();
  private final ExecutorService installs = Executors.newSingleThreadExecutor(runnable -> {
    Thread thread = new Thread(runnable, "packages");
    thread.setDaemon(true);
    return thread;
  });
  /** The Go supervisor's file for the own telemetry settings last offered. */
  private static final String OWN_TELEMETRY_FILE = "last_recv_own_telemetry_config.dat";

  private PersistentState state;
  private volatile AgentDescription description;
  private CollectorLink link;
  private EffectiveConfigComposer composer;
  private CollectorProcess collector;
  private final Reported reported = new Reported();
  private HealthEndpoint health;
  private volatile boolean configured;
  /** Running agent::startup_fallback_configs until the first connection to the server. */
  private volatile boolean onFallback;
  private volatile boolean fallbackAllowed = true;
  private UpstreamSession upstream;
  private PackageInstaller packages;
  private AgentRemoteConfig running;
  private AgentRemoteConfig lastGood;
  private volatile boolean stopping;

  public Supervisor(SupervisorConfig config) {
    this.config = config;
    this.storage = config.storage().directory();
    this.remoteConfigs = new RemoteConfigStore(storage);
  }

  /** Bootstraps the collector, starts it on the last config it had, and connects upstream. */
  public void start() throws BootstrapException, IOException, InterruptedException {
    if (config.healthcheck().enabled()) {
      health = HealthEndpoint.start(hostPort(config.healthcheck().endpoint()), this::unhealthyBecause);
    }
    state = PersistentState.loadOrCreate(storage, config.agent().instanceId());
    AgentBootstrap bootstrap = new AgentBootstrap(config, state.instanceId(), storage);
    AgentBootstrap.Learned learned = bootstrap.learn();
    description = learned.description();
    if (learned.components() != null) {
      reported.availableComponents(learned.components());
    }
    link = CollectorLink.start(config.agent().opampServerPort(), reported::health, new CollectorLink.Reports() {
      @Override
      public void description(AgentDescription reportedByCollector) {
        // A new executable or config may change what the collector says of itself: the server hears it.
        AgentDescription merged = bootstrap.withOverrides(reportedByCollector);
        if (!merged.equals(description)) {
          description = merged;
          reported.description(merged);
        }
      }

      @Override
      public void components(AvailableComponents components) {
        if (config.capabilities().reportsAvailableComponents()) {
          reported.availableComponents(components);
        }
      }
    }, learned.components());
    composer = new EffectiveConfigComposer(config, state.instanceId(), link.port(), ProcessHandle.current().pid(), false);
    Server server = ConnectionOffer.current(config.server(), storage);
    ConnectionSettingsOffers ownTelemetry = PrivateFiles.read(storage.resolve(OWN_TELEMETRY_FILE),
        ConnectionSettingsOffers.parser(), "own telemetry settings");
    if (ownTelemetry != null) {
      composer.ownTelemetry(ownTelemetry, TlsFiles.of(server, storage));
    }
    collector = new CollectorProcess(config.agent(), storage, new Commander(config.agent().executable(),
        config.agent().args(), config.agent().env(), config.agent().passthroughLogs() ? null : storage.resolve("agent.log")),
        link, loop, reported::health, reported::effectiveConfig);
    collector.relaunchWith(this::relaunchAndCheck);
    if (config.capabilities().acceptsRemoteConfig()) {
      running = remoteConfigs.lastReceived();
      lastGood = remoteConfigs.lastWorking();
    }
    if (!config.agent().startupFallbackConfigs().isEmpty()) {
      validateFallback();
    }
    if (config.capabilities().acceptsPackages()) {
      packages = new PackageInstaller(config, reported::packageStatuses);
      packages.statuses().ifPresent(reported::packageStatuses);
    }
    reported.description(description);
    if (!state.lastRemoteConfigStatus().equals(RemoteConfigStatus.getDefaultInstance())) {
      reported.remoteConfigStatus(state.lastRemoteConfigStatus());
    }
    upstream = new UpstreamSession(config, state.instanceId(), storage, server, reported, loop, callbacks,
        new ServerNews());
    try {
      loop.submit(() -> {
        LoopStep.guarded(this::startOnKnownConfig).run();
        return null;
      }).get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException("the collector could not be started: " + e.getCause(), e);
    }
    configured = true;
    upstream.start();
    log.info("the collector runs (pid {}) as {}; its server is {}", collector.pid(), state.instanceId(),
        server.endpoint());
  }

  /** The collector must accept agent::startup_fallback_configs, or the supervisor does not start. */
  private void validateFallback() throws IOException, InterruptedException {
    try {
      Optional<String> problems = ConfigValidation.problems(config.agent().executable(), config.agent().env(), storage,
          composer.composeFallback(description).yaml());
      if (problems.isPresent()) {
        throw new ConfigException("agent::startup_fallback_configs: the collector refuses them: " + problems.get());
      }
    } catch (ComposeException e) {
      throw new ConfigException("agent::startup_fallback_configs: " + e.getMessage());
    }
  }

  /** Why the supervisor is not healthy yet, in the Go supervisor's words; empty once it is. */
  private Optional<String> unhealthyBecause() {
    if (state == null) {
      return Optional.of("persistent state is nil");
    }
    return configured ? Optional.empty() : Optional.of("config state is nil");
  }

  private static InetSocketAddress hostPort(String endpoint) {
    int colon = endpoint.lastIndexOf(':');
    String host = colon <= 0 ? "0.0.0.0" : endpoint.substring(0, colon);
    return new InetSocketAddress(host, Integer.parseInt(endpoint.substring(colon + 1)));
  }

  public UUID instanceUid() {
    return state.instanceId();
  }

  /** The pid of the running collector, or -1. */
  public long collectorPid() {
    return collector.pid();
  }

  /** What the server says, turned into the loop's work. */
  private final class ServerNews implements UpstreamSession.Listener {
    @Override
    public void connected() {
      fallbackAllowed = false;
      if (onFallback) {
        // The first connection ends the fallback for good: the normal config runs from now on.
        onFallback = false;
        onLoop(() -> startOnKnownConfig());
      }
    }

    @Override
    public void message(ServerToAgent message) {
      if (message.hasCommand() && config.capabilities().acceptsRestartCommand()
          && message.getCommand().getType() == CommandType.CommandType_Restart) {
        onLoop(() -> restartCommanded());
      } else if (message.hasRemoteConfig() && config.capabilities().acceptsRemoteConfig()) {
        onLoop(() -> apply(message.getRemoteConfig()));
      }
      if (message.hasPackagesAvailable() && packages != null) {
        // Downloads take long: they run on their own thread; only the swap's restart runs on the loop.
        installs.execute(LoopStep.guarded(() -> packages.offered(message.getPackagesAvailable(),
            upstream.server().tls(), () -> loop.submit(Supervisor.this::relaunchAndCheck).get())));
      }
      if (message.hasConnectionSettings() && OwnTelemetry.any(message.getConnectionSettings())) {
        onLoop(() -> ownTelemetryOffered(message.getConnectionSettings()));
      }
    }

    @Override
    public void settingsKept(Server now) throws InterruptedException {
      try {
        if (composer.ownTelemetry(composer.ownTelemetryOffers(), TlsFiles.of(now, storage))) {
          log.info("the collector sends its own telemetry to its server with the new settings; restarting it");
          restart(composer.compose(running, description));
        }
      } catch (ComposeException | IOException e) {
        log.warn("the collector keeps its own telemetry on the old settings: {}", e.getMessage());
      }
    }
  }

  /**
   * Own telemetry settings from the server: kept (the Go supervisor's file), and the collector
   * restarted on them when they change its config.
   */
  private void ownTelemetryOffered(ConnectionSettingsOffers offers) throws Exception {
    ConnectionSettingsOffers own = ConnectionSettingsOffers.newBuilder().setHash(offers.getHash())
        .setOwnMetrics(offers.getOwnMetrics()).setOwnLogs(offers.getOwnLogs()).setOwnTraces(offers.getOwnTraces()).build();
    PrivateFiles.write(storage.resolve(OWN_TELEMETRY_FILE), own.toByteArray());
    if (composer.ownTelemetry(own, TlsFiles.of(upstream.server(), storage))) {
      log.info("the collector's own telemetry goes where the server says; restarting it");
      restart(composer.compose(running, description));
    }
  }

  /**
   * The collector starts on what it ran last, or the last good config, or the nop pipeline; never
   * on a config that was reported FAILED, nor on one the supervisor stopped (was killed) while
   * applying: that one was never seen healthy and could crash the collector at every start, so it
   * is reported FAILED and the last good config runs.
   */
  private void startOnKnownConfig() throws InterruptedException {
    if (fallbackAllowed && !config.agent().startupFallbackConfigs().isEmpty() && running == null && lastGood == null) {
      try {
        restart(composer.composeFallback(description));
        onFallback = true;
        log.info("running agent::startup_fallback_configs until the first connection to the server");
        return;
      } catch (ComposeException e) {
        log.warn("the startup fallback configs cannot be used ({}); starting on the normal config", e.getMessage());
      }
    }
    RemoteConfigStatus last = state.lastRemoteConfigStatus();
    boolean unverified = last.getStatus() == RemoteConfigStatuses.RemoteConfigStatuses_APPLYING;
    if (running != null && (last.getStatus() == RemoteConfigStatuses.RemoteConfigStatuses_FAILED || unverified)
        && last.getLastRemoteConfigHash().equals(running.getConfigHash())) {
      running = lastGood;
      if (unverified) {
        report(RemoteConfigStatuses.RemoteConfigStatuses_FAILED, last.getLastRemoteConfigHash(),
            "the supervisor stopped while applying it, before the collector was seen healthy on it; "
                + (lastGood == null ? "the configuration it had before any remote config runs"
                : "the last good remote config runs"));
      }
    }
    for (AgentRemoteConfig candidate : new AgentRemoteConfig[] {running, lastGood, null}) {
      try {
        Composed composed = composer.compose(candidate, description);
        running = candidate;
        restart(composed);
        return;
      } catch (ComposeException e) {
        log.warn("the stored remote config cannot be used ({}); trying the one before it", e.getMessage());
      }
    }
  }

  private void apply(AgentRemoteConfig offered) throws InterruptedException, IOException {
    if (stopping) {
      return;
    }
    ByteString hash = offered.getConfigHash();
    if (running != null && running.getConfigHash().equals(hash) && collector.isRunning()) {
      report(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED, hash, "");
      return;
    }
    remoteConfigs.saveReceived(offered);
    report(RemoteConfigStatuses.RemoteConfigStatuses_APPLYING, hash, "");
    Composed composed;
    try {
      composed = composer.compose(offered, description);
    } catch (ComposeException e) {
      report(RemoteConfigStatuses.RemoteConfigStatuses_FAILED, hash, e.getMessage() + "; the previous config keeps running");
      return;
    }
    if (config.agent().validateConfig() && !composed.remoteConfigEmpty()) {
      java.util.Optional<String> problems = ConfigValidation.problems(config.agent().executable(), config.agent().env(),
          storage, composed.yaml());
      if (problems.isPresent()) {
        report(RemoteConfigStatuses.RemoteConfigStatuses_FAILED, hash, problems.get() + "; the previous config keeps running");
        return;
      }
    }
    if (composed.remoteConfigEmpty()) {
      collector.stop();
      running = offered;
      report(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED, hash, "");
      return;
    }
    restart(composed);
    if (collector.awaitHealthy()) {
      running = offered;
      lastGood = offered;
      remoteConfigs.saveWorking(offered);
      report(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED, hash, "");
      return;
    }
    String reason = collector.failure();
    AgentRemoteConfig previous = lastGood;
    report(RemoteConfigStatuses.RemoteConfigStatuses_FAILED, hash, reason + "; reverted to "
        + (previous == null ? "the configuration it had before any remote config" : "the last good remote config"));
    try {
      running = previous;
      restart(composer.compose(previous, description));
    } catch (ComposeException e) {
      log.error("the last good config no longer composes: {}", e.getMessage());
    }
  }

  /** A new collector process on the running config (a new executable needs one); empty once healthy. */
  private Optional<String> relaunchAndCheck() throws InterruptedException {
    try {
      collector.run(composer.compose(running, description), false);
    } catch (ComposeException e) {
      return Optional.of(e.getMessage());
    }
    return collector.awaitHealthy() ? Optional.empty() : Optional.of(collector.failure());
  }

  /** The collector on this config, by SIGHUP when agent::use_hup_config_reload says so. */
  private void restart(Composed composed) throws InterruptedException {
    collector.run(composed, config.agent().useHupConfigReload());
  }

  /** The server's restart command: the collector again, on the config it runs. */
  private void restartCommanded() throws Exception {
    log.info("restarting the collector, as the server asked");
    collector.run(composer.compose(running, description), false);
  }

  private void report(RemoteConfigStatuses status, ByteString hash, String error) {
    RemoteConfigStatus current = RemoteConfigStatus.newBuilder()
        .setStatus(status).setLastRemoteConfigHash(hash).setErrorMessage(error).build();
    state = state.withRemoteConfigStatus(current);
    state.save(storage);
    reported.remoteConfigStatus(current);
    if (status == RemoteConfigStatuses.RemoteConfigStatuses_FAILED) {
      log.warn("remote config {} FAILED: {}", java.util.HexFormat.of().formatHex(hash.toByteArray()), error);
    }
  }

  private void onLoop(LoopStep step) {
    loop.execute(LoopStep.guarded(step));
  }

  /** Says goodbye upstream and stops the collector, waiting for both. */
  @Override
  public void close() throws InterruptedException {
    try {
      loop.submit(() -> {
        stopping = true;
        if (collector != null) {
          collector.stopping();
        }
      }).get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      stopping = true;
    }
    if (upstream != null) {
      upstream.close();
    }
    if (collector != null) {
      collector.stop();
    }
    if (link != null) {
      link.close();
    }
    installs.shutdownNow();
    loop.shutdownNow();
    callbacks.shutdownNow();
    if (health != null) {
      health.close();
    }
  }
}

package io.opampfleet.supervisor;

import io.opampfleet.netty.InstanceUid;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.CommandType;
import io.opampfleet.proto.ConnectionSettingsOffers;
import io.opampfleet.proto.CustomCapabilities;
import io.opampfleet.proto.CustomMessage;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.strictyaml.ConfigException;
import io.opampfleet.supervisor.apply.RemoteConfigApplier;
import io.opampfleet.supervisor.bootstrap.AgentBootstrap;
import io.opampfleet.supervisor.bootstrap.BootstrapException;
import io.opampfleet.supervisor.collector.CollectorLink;
import io.opampfleet.supervisor.collector.CollectorProcess;
import io.opampfleet.supervisor.commander.Commander;
import io.opampfleet.supervisor.commander.ConfigValidation;
import io.opampfleet.supervisor.compose.ComposeException;
import io.opampfleet.supervisor.compose.EffectiveConfigComposer;
import io.opampfleet.supervisor.compose.OwnTelemetry;
import io.opampfleet.supervisor.config.SupervisorConfig.Server;
import io.opampfleet.supervisor.config.SupervisorConfig;
import io.opampfleet.supervisor.healthchecker.HealthEndpoint;
import io.opampfleet.supervisor.loop.LoopStep;
import io.opampfleet.supervisor.packages.PackageInstaller;
import io.opampfleet.supervisor.storage.PersistentState;
import io.opampfleet.supervisor.storage.PrivateFiles;
import io.opampfleet.supervisor.storage.RemoteConfigStore;
import io.opampfleet.supervisor.upstream.ConnectionOffer;
import io.opampfleet.supervisor.upstream.Reported;
import io.opampfleet.supervisor.upstream.TlsFiles;
import io.opampfleet.supervisor.upstream.UpstreamSession;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one collector for its OpAMP server, as the Go supervisor does, and never leaves it down.
 * One thread makes every change. Which config runs is the {@link RemoteConfigApplier}'s to
 * decide, the collector's process is a {@link CollectorProcess}, the session with the server an
 * {@link UpstreamSession}; what is here starts them and hands the server's news to them.
 */
public final class Supervisor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

  private final SupervisorConfig config;
  private final Path storage;
  private final RemoteConfigStore remoteConfigs;
  private final ScheduledExecutorService loop = loop();
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
  private RemoteConfigApplier configs;

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

      @Override
      public void customCapabilities(CustomCapabilities capabilities) {
        reported.customCapabilities(capabilities);
      }

      @Override
      public void customMessage(CustomMessage message) {
        if (!reported.customMessage(message)) {
          log.warn("a custom message of the collector was not passed on: the server is not reached, or too many"
              + " wait for it already");
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
    RemoteConfigApplier.Validator validator = config.agent().validateConfig()
        ? yaml -> ConfigValidation.problems(config.agent().executable(),
            ConfigValidation.featureGates(config.agent().args()), config.agent().env(), storage, yaml)
        : RemoteConfigApplier.Validator.NONE;
    configs = new RemoteConfigApplier(composer, () -> description, collector, validator, remoteConfigs,
        new StoredStatuses(), config.agent().useHupConfigReload());
    collector.relaunchWith(configs::relaunchAndCheck);
    if (config.capabilities().acceptsRemoteConfig()) {
      configs.resume();
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
      // As the Go supervisor checks them: with the collector's arguments.
      Optional<String> problems = ConfigValidation.problems(config.agent().executable(), config.agent().args(),
          config.agent().env(), storage, composer.composeFallback(description).yaml());
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
        onLoop(() -> configs.apply(message.getRemoteConfig()));
      }
      if (message.hasPackagesAvailable() && packages != null) {
        // Downloads take long: they run on their own thread; only the swap's restart runs on the loop.
        installs.execute(LoopStep.guarded(() -> packages.offered(message.getPackagesAvailable(),
            upstream.server().tls(), () -> loop.submit(configs::relaunchAndCheck).get())));
      }
      if (message.hasConnectionSettings() && OwnTelemetry.any(message.getConnectionSettings())) {
        onLoop(() -> ownTelemetryOffered(message.getConnectionSettings()));
      }
      link.forward(message);
      InstanceUid.uuid(message.getAgentIdentification().getNewInstanceUid())
          .ifPresent(uid -> onLoop(() -> newInstanceUid(uid)));
    }

    @Override
    public void settingsKept(Server now) throws InterruptedException {
      try {
        if (composer.ownTelemetry(composer.ownTelemetryOffers(), TlsFiles.of(now, storage))) {
          log.info("the collector sends its own telemetry to its server with the new settings; restarting it");
          configs.recompose();
        }
      } catch (ComposeException | IOException e) {
        log.warn("the collector keeps its own telemetry on the old settings: {}", e.getMessage());
      }
    }
  }

  /**
   * Own telemetry settings from the server: the collector restarted on them when they change its
   * config, and kept (the Go supervisor's file) once it is healthy on them, within
   * agent::config_apply_timeout as for a remote config; otherwise it goes back to the settings it had.
   */
  private void ownTelemetryOffered(ConnectionSettingsOffers offers) throws Exception {
    ConnectionSettingsOffers own = ConnectionSettingsOffers.newBuilder().setHash(offers.getHash())
        .setOwnMetrics(offers.getOwnMetrics()).setOwnLogs(offers.getOwnLogs()).setOwnTraces(offers.getOwnTraces()).build();
    ConnectionSettingsOffers before = composer.ownTelemetryOffers();
    Server upstreamNow = TlsFiles.of(upstream.server(), storage);
    if (composer.ownTelemetry(own, upstreamNow)) {
      log.info("the collector's own telemetry goes where the server says; restarting it");
      Optional<String> problem = configs.recomposeAndCheck();
      if (problem.isPresent()) {
        log.warn("the collector is not healthy with its own telemetry where the server says ({}); back on the"
            + " settings it had", problem.get());
        composer.ownTelemetry(before, upstreamNow);
        configs.recompose();
        return;
      }
    }
    PrivateFiles.write(storage.resolve(OWN_TELEMETRY_FILE), own.toByteArray());
  }

  /** The collector on agent::startup_fallback_configs until the first connection, else on its known config. */
  private void startOnKnownConfig() throws InterruptedException {
    if (fallbackAllowed && !config.agent().startupFallbackConfigs().isEmpty() && configs.knowsNoRemoteConfig()
        && configs.startOnFallback()) {
      onFallback = true;
      log.info("running agent::startup_fallback_configs until the first connection to the server");
      return;
    }
    configs.startOnKnownConfig();
  }

  /**
   * The server gave the agent a new uid (it asked, or another agent spoke for the same one): kept for
   * the next starts, and the collector restarted on configs that name it, as the Go supervisor does.
   */
  private void newInstanceUid(UUID uid) throws Exception {
    if (uid.equals(state.instanceId())) {
      return;
    }
    log.info("the server gave this agent a new instance uid: {} (was {}); restarting the collector with it", uid,
        state.instanceId());
    state = state.withInstanceId(uid);
    state.save(storage);
    composer.instanceUid(uid);
    configs.recompose();
  }

  /** The server's restart command: the collector again, on the config it runs. */
  private void restartCommanded() throws Exception {
    log.info("restarting the collector, as the server asked");
    configs.restart();
  }

  /** A remote config's status, kept in persistent_state.yaml and reported to the server. */
  private final class StoredStatuses implements RemoteConfigApplier.Statuses {
    @Override
    public RemoteConfigStatus last() {
      return state.lastRemoteConfigStatus();
    }

    @Override
    public void report(RemoteConfigStatus status) {
      state = state.withRemoteConfigStatus(status);
      state.save(storage);
      reported.remoteConfigStatus(status);
    }
  }

  private void onLoop(LoopStep step) {
    loop.execute(LoopStep.guarded(step));
  }

  /** Says goodbye upstream and stops the collector, waiting for both. */
  @Override
  public void close() throws InterruptedException {
    // Told at once, not in the loop's turn: a step under way (an apply waits up to its timeout) sees
    // it at its next decision, and starts nothing.
    if (configs != null) {
      configs.stopping();
    }
    if (collector != null) {
      collector.stopping();
    }
    try {
      loop.submit(() -> { }).get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      log.warn("the supervisor's loop did not stop in time: {}", e.toString());
    }
    if (upstream != null) {
      upstream.close();
    }
    if (collector != null) {
      collector.shutDown();
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

  /**
   * The supervisor's one thread for its own work. A cancelled task (a certificate check rescheduled on
   * every reconnect, say) leaves its queue at once rather than when it would have run, months later.
   */
  private static ScheduledExecutorService loop() {
    ScheduledThreadPoolExecutor loop = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread thread = new Thread(runnable, "supervisor");
      thread.setDaemon(true);
      return thread;
    });
    loop.setRemoveOnCancelPolicy(true);
    return loop;
  }
}

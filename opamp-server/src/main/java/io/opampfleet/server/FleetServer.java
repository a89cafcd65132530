package io.opampfleet.server;

import com.google.common.base.Suppliers;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.Pem;
import io.opampfleet.certs.PkiException;
import io.opampfleet.netty.server.OpampServer;
import io.opampfleet.netty.server.ServerLimits;
import io.opampfleet.server.internal.AdvertisedUrls;
import io.opampfleet.server.internal.DaemonThreads;
import io.opampfleet.server.internal.ScheduledJob;
import io.opampfleet.server.internal.ServerTls;
import io.opampfleet.server.internal.api.AdminApi;
import io.opampfleet.server.internal.api.AdminServer;
import io.opampfleet.server.internal.api.AgentsApi;
import io.opampfleet.server.internal.api.AuditApi;
import io.opampfleet.server.internal.api.ConfigsApi;
import io.opampfleet.server.internal.api.ConfigsAsCodeApi;
import io.opampfleet.server.internal.api.PackagesApi;
import io.opampfleet.server.internal.api.RolloutsApi;
import io.opampfleet.server.internal.api.Route;
import io.opampfleet.server.internal.api.SecretRedactor;
import io.opampfleet.server.internal.api.Tokens;
import io.opampfleet.server.internal.api.TokensApi;
import io.opampfleet.server.internal.certificates.CertificateBinding;
import io.opampfleet.server.internal.configs.Assignments;
import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.hosting.PackageFiles;
import io.opampfleet.server.internal.hosting.PackageOffers;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.AgentSnapshot;
import io.opampfleet.server.internal.inventory.Fleet;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.inventory.ReportLimits;
import io.opampfleet.server.internal.inventory.ReportedStateBudget;
import io.opampfleet.server.internal.metrics.FleetMetrics;
import io.opampfleet.server.internal.opamp.AgentCommands;
import io.opampfleet.server.internal.opamp.CertificateSigner;
import io.opampfleet.server.internal.opamp.DesiredConfigs;
import io.opampfleet.server.internal.opamp.FleetCallbacks;
import io.opampfleet.server.internal.opamp.OperatorCommands;
import io.opampfleet.server.internal.opamp.SilentAgents;
import io.opampfleet.server.internal.replicas.CommandFollower;
import io.opampfleet.server.internal.replicas.DesiredStateFollower;
import io.opampfleet.server.internal.replicas.PackageOffersFollower;
import io.opampfleet.server.internal.replicas.ReloadOnSignal;
import io.opampfleet.server.internal.replicas.ReplicaPresence;
import io.opampfleet.server.internal.replicas.ReportedStateFollower;
import io.opampfleet.server.internal.replicas.StoreSignalsListener;
import io.opampfleet.server.internal.replicas.StoredFleet;
import io.opampfleet.server.internal.replicas.StoredReportsCount;
import io.opampfleet.server.internal.rollout.RolloutEngine;
import io.opampfleet.server.internal.rollout.RolloutState;
import io.opampfleet.server.internal.store.AgentRows;
import io.opampfleet.server.internal.store.AuditLog;
import io.opampfleet.server.internal.store.CommandRepository;
import io.opampfleet.server.internal.store.ConfigRepository;
import io.opampfleet.server.internal.store.Database;
import io.opampfleet.server.internal.store.Dialect;
import io.opampfleet.server.internal.store.EventLog;
import io.opampfleet.server.internal.store.OwnMetricsRepository;
import io.opampfleet.server.internal.store.PackageContents;
import io.opampfleet.server.internal.store.PackageRepository;
import io.opampfleet.server.internal.store.PartBodies;
import io.opampfleet.server.internal.store.RolloutRepository;
import io.opampfleet.server.internal.store.ServerKeys;
import io.opampfleet.server.internal.store.StoreException;
import io.opampfleet.server.internal.store.StoreProbe;
import io.opampfleet.server.internal.store.TokenRepository;
import io.opampfleet.server.internal.store.WriteBehind;
import io.opampfleet.server.internal.telemetry.FleetTelemetry;
import io.opampfleet.server.internal.telemetry.OtlpForwarder;
import io.opampfleet.server.internal.telemetry.OtlpMetricsEndpoint;
import io.opampfleet.server.internal.telemetry.OwnTelemetryCredentials;
import io.opampfleet.server.internal.telemetry.OwnTelemetryOffers;
import io.opampfleet.server.internal.telemetry.TelemetrySenders;
import io.opampfleet.server.settings.ServerSettings;
import io.opampfleet.strictyaml.ConfigException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.LongToIntFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The whole server, wired: store, inventory, rollouts, the OpAMP listener and the admin listener. */
public final class FleetServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FleetServer.class);
  private static final int ADMIN_CALLS_WAITING = 256;

  private final Deque<AutoCloseable> started;
  private final OpampServer opamp;
  private final AdminServer admin;
  private final Optional<String> firstAdminToken;
  private final List<Route> routes;
  private final AtomicBoolean closed = new AtomicBoolean();

  private FleetServer(Deque<AutoCloseable> started, OpampServer opamp, AdminServer admin,
      Optional<String> firstAdminToken, List<Route> routes) {
    this.started = started;
    this.opamp = opamp;
    this.admin = admin;
    this.firstAdminToken = firstAdminToken;
    this.routes = routes;
  }

  /** Starts everything, or nothing: what started before a failure is stopped again. */
  public static FleetServer start(ServerSettings settings) {
    Deque<AutoCloseable> started = new ArrayDeque<>();
    try {
      return start(settings, started);
    } catch (RuntimeException e) {
      closeAll(started);
      throw e;
    }
  }

  private static FleetServer start(ServerSettings settings, Deque<AutoCloseable> started) {
    // The one clock every part reads the time from.
    LongSupplier clock = System::currentTimeMillis;
    Database database = Database.open(settings.storage());
    started.push(database);
    WriteBehind writes = new WriteBehind(database, settings.storage().replicaName());
    started.push(writes);
    ConfigRepository configs = new ConfigRepository(database);
    ReplicaPresence presence = new ReplicaPresence(database, settings.storage().replicaName());
    started.push(presence);
    BiFunction<String, Integer, ConfigVersion> versions = (name, version) -> configs.version(name, version).orElse(null);
    boolean shared = database.dialect() == Dialect.POSTGRESQL;
    Inventory inventory;
    Fleet fleet;
    if (shared) {
      // Servers sharing PostgreSQL keep the agents they hold; the fleet is read from the store.
      inventory = new Inventory(presence.name(), uids -> AgentRows.load(database, versions, presence::aliveElsewhere,
          uids));
      fleet = new StoredFleet(database, versions, presence, inventory);
    } else {
      inventory = new Inventory(presence.name(), uids -> List.of());
      AgentRows.loadAll(database, versions, presence::aliveElsewhere).forEach(inventory::restore);
      fleet = inventory;
    }
    Assignments assignments = new Assignments(configs.assignments());
    Tokens tokens = new Tokens(settings.tokens(), new TokenRepository(database));
    FleetMetrics metrics = new FleetMetrics();
    PackageRepository packages = new PackageRepository(database);
    AtomicReference<InetSocketAddress> opampBound = new AtomicReference<>(settings.opamp().address());
    AtomicReference<InetSocketAddress> adminBound = new AtomicReference<>(settings.admin().address());
    boolean adminTls = settings.admin().tls().isPresent();
    PackageOffers offers = new PackageOffers(packages, writes, () -> settings.agents().packageDownloadUrl()
        .orElseGet(() -> AdvertisedUrls.base(adminTls ? "https" : "http", adminBound.get(), adminTls)));
    boolean agentsTls = settings.opamp().tls().isPresent();
    OwnTelemetryCredentials credentials = new OwnTelemetryCredentials(new ServerKeys(database).key("own_telemetry"));
    OwnTelemetryOffers ownTelemetryOffers = new OwnTelemetryOffers(settings.ownTelemetry(), () -> settings.agents()
        .endpoint().map(AdvertisedUrls::httpBase)
        .orElseGet(() -> AdvertisedUrls.base(agentsTls ? "https" : "http", opampBound.get(), agentsTls))
        + OtlpMetricsEndpoint.PATH, credentials);
    AgentCommands commands = new AgentCommands(signer(settings, opampBound::get), offers, ownTelemetryOffers);
    DesiredConfigs desired = new DesiredConfigs(writes, commands);
    RolloutEngine rollouts = new RolloutEngine(inventory, fleet, configs, new RolloutRepository(database, RolloutState.unfinished()), writes,
        desired, packages, offers, clock, presence);
    started.push(rollouts);
    rollouts.start();
    // Others may have marked this server's agents disconnected while its lease had lapsed.
    presence.onRegained(() -> inventory.heldHere().forEach(uid -> inventory.find(uid).ifPresent(writes::agent)));
    OperatorCommands operator = new OperatorCommands(commands, writes, new CommandRepository(database),
        clock, shared);
    Consumer<Agent> afterMessage = agent -> {};
    if (shared) {
      // Servers sharing PostgreSQL follow each other's decisions, offers and commands, and the agents each holds.
      CommandFollower commandFollower = new CommandFollower(inventory, new CommandRepository(database), operator,
          clock);
      StoreSignalsListener signals = new StoreSignalsListener(database, List.of(
          new DesiredStateFollower(inventory, configs, rollouts), new ReportedStateFollower(inventory, presence, configs, rollouts::drives),
          new PackageOffersFollower(inventory, packages, offers, commands, writes), commandFollower,
          new ReloadOnSignal(TokenRepository.CHANNEL, tokens::reload),
          new ReloadOnSignal(ConfigRepository.ASSIGNMENTS_CHANNEL, () -> assignments.reload(configs.assignments()))));
      started.push(signals);
      presence.onChange(signals::repairSoon);
      afterMessage = commandFollower::afterMessage;
    }
    AuditLog auditLog = new AuditLog(database);
    long maxReported = settings.agents().maxReportedBytes();
    ReportedStateBudget budget;
    if (shared) {
      budget = ReportedStateBudget.sharingStore(maxReported, inventory, System::nanoTime);
      StoredReportsCount storedCount = new StoredReportsCount(database, presence.name(), budget,
          System::nanoTime).start();
      started.push(storedCount);
      metrics.gauge("opamp_reported_bytes_store_counted_seconds_ago", "Seconds since this server last counted"
          + " what the shared store holds of the agents not connected here, for agents::max_reported_bytes (every"
          + " 5 s; while counts fail, the ceiling counts the store as the last count found it)",
          storedCount::secondsSinceCounted);
    } else {
      budget = new ReportedStateBudget(maxReported, inventory, System::nanoTime);
    }
    FleetCallbacks callbacks = new FleetCallbacks(inventory, writes, assignments, configs,
        new CertificateBinding(settings.agents().requireUidInCertificate()), metrics, commands, rollouts,
        ReportLimits.defaults(),
        budget,
        auditLog,
        settings.opamp().limits().newConnectionsPerSecond(), afterMessage, presence::storeMillis);
    Optional<String> firstToken = tokens.bootstrap();

    // Agents' messages are handled off the event loops, and never on the store's writer thread.
    ExecutorService agentWork = executor(Runtime.getRuntime().availableProcessors(), "agents", started);
    // Admin calls wait in a bounded queue; past it a call is answered 503 rather than held.
    ExecutorService adminWork = track(new ThreadPoolExecutor(4, 4, 0, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(ADMIN_CALLS_WAITING), DaemonThreads.named("admin")), started);
    EventLoopGroup loops = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    started.push(() -> loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly());
    EventLog events = new EventLog(database, clock);
    // Servers sharing a store show every agent's figures from it, whichever server received them.
    FleetTelemetry telemetry = new FleetTelemetry(settings.ownTelemetry(),
        shared ? Optional.of(new OwnMetricsRepository(database)) : Optional.empty());
    started.push(telemetry);
    AgentsApi agents = new AgentsApi(inventory, fleet, configs, events, writes, commands, operator, rollouts,
        telemetry, clock);
    AtomicBoolean listening = new AtomicBoolean();
    SecretRedactor secrets = new SecretRedactor(settings.secretKeys());
    StoreProbe store = new StoreProbe(database, Duration.ofSeconds(2));
    started.push(store);
    PackagesApi packagesApi = new PackagesApi(packages, new PackageFiles(settings.storage().dataDir().resolve("packages"),
        database.dialect() == Dialect.POSTGRESQL ? Optional.of(new PackageContents(database)) : Optional.empty()),
        offers, inventory, rollouts, clock);
    // Ready once listening, and for as long as the store answers.
    AdminApi api = new AdminApi(tokens, metrics::scrape, () -> listening.get() && store.answering(),
        packagesApi::download, secrets, auditLog, clock)
        .add(agents.routes())
        .add(packagesApi.routes())
        .add(new ConfigsApi(configs, assignments, fleet, rollouts, secrets, clock).routes())
        .add(new ConfigsAsCodeApi(configs, assignments, fleet, rollouts, secrets, clock).routes())
        .add(new RolloutsApi(rollouts, agents::summary).routes())
        .add(new TokensApi(tokens).routes())
        .add(new AuditApi(auditLog, clock).routes());
    registerGauges(metrics, inventory, fleet, callbacks, writes, rollouts);

    OpampServer.Builder opampBuilder = OpampServer.builder().bind(settings.opamp().address()).callbacks(callbacks)
        .callbackExecutor(agentWork).eventLoopGroup(loops).limits(opampLimits(settings.opamp().limits()))
        .balancers(settings.opamp().balancers());
    settings.opamp().tls().ifPresent(tls -> opampBuilder.tls(ServerTls.context("opamp", tls)));
    if (settings.ownTelemetry().toServer()) {
      opampBuilder.endpoint(OtlpMetricsEndpoint.PATH, ownTelemetryReceiver(settings, metrics, telemetry,
          new TelemetrySenders(inventory, credentials), clock, callbacks));
    }
    OpampServer opamp = opampBuilder.start();
    metrics.gauge("opamp_message_bytes_in_hand", "Bytes of agents' messages held from their first byte to their"
        + " reply; past the budget (a quarter of the heap) a message is refused", opamp::bytesInHand);
    started.push(opamp);
    AdminServer admin = AdminServer.start(settings.admin().address(),
        settings.admin().tls().map(tls -> ServerTls.context("admin", tls)).orElse(null), settings.admin().limits(),
        api, loops, adminWork);
    started.push(admin);
    opampBound.set(opamp.address());
    adminBound.set(admin.address());
    presence.serving(opamp.address(), admin.address());
    Duration hourly = Duration.ofHours(1);
    started.push(pruneHistory(Map.of("events", new Pruning(events::prune, settings.eventRetention(), hourly),
        "audit log", new Pruning(auditLog::prune, settings.auditRetention(), hourly),
        "silent agents", new Pruning(new SilentAgents(database, inventory, writes, offers, System.nanoTime())::forget,
            settings.agents().forgetAfter(), hourly),
        // Every minute: an agent that keeps reporting other large parts leaves a body behind with each.
        "reported parts no agent holds", new Pruning(before -> PartBodies.deleteUnreferenced(database, before),
            PartBodies.KEPT_UNREFERENCED, Duration.ofMinutes(1))), clock));
    listening.set(true);
    log.info("serving OpAMP on {}://{}/v1/opamp and the admin API on {}://{}/api/v1 ({} agents known)",
        settings.opamp().tls().isPresent() ? "wss" : "ws", hostPort(opamp.address()),
        adminTls ? "https" : "http", hostPort(admin.address()), fleet.overview().size());
    return new FleetServer(started, opamp, admin, firstToken, api.routes());
  }

  /** The fleet's size and how many of it drift, from one look at it. */
  private record FleetCounts(long known, long drifted) {
    static FleetCounts of(List<AgentSnapshot> fleet) {
      return new FleetCounts(fleet.size(), fleet.stream().filter(agent -> agent.drift().isPresent()).count());
    }
  }

  /** The OTLP receiver of agents' own metrics, forwarding to the operator's endpoint when there is one too. */
  private static OtlpMetricsEndpoint ownTelemetryReceiver(ServerSettings settings, FleetMetrics metrics,
      FleetTelemetry telemetry, TelemetrySenders senders, LongSupplier clock, FleetCallbacks callbacks) {
    Optional<OtlpForwarder> forwarder = settings.ownTelemetry().external().map(OtlpForwarder::new);
    OtlpMetricsEndpoint receiver = new OtlpMetricsEndpoint(telemetry, senders,
        settings.ownTelemetry().maxRequestBytes(), forwarder, clock, callbacks::shedding);
    Supplier<FleetTelemetry.Counts> counts = Suppliers.memoizeWithExpiration(
        () -> telemetry.counts(clock.getAsLong()), Duration.ofSeconds(1));
    metrics.gauge("opamp_agents_reporting_own_metrics", "Agents whose own metrics this server received within"
        + " the window", () -> counts.get().reporting());
    metrics.gauge("opamp_agents_dropping_data", "Agents whose receivers refused or exporters failed items in the"
        + " last five minutes, by their own metrics", () -> counts.get().dropping());
    metrics.gauge("opamp_agents_queue_filling", "Agents with an exporter queue at least 80% full",
        () -> counts.get().queueFilling());
    metrics.gauge("opamp_agents_own_cpu_percent", "The reporting agents' process CPU added up, in percent of"
        + " one core", () -> counts.get().cpuPercent());
    metrics.gauge("opamp_agents_own_resident_bytes", "The reporting agents' resident memory added up",
        () -> counts.get().rssBytes());
    metrics.gauge("opamp_agents_own_accepted_items_per_second", "Items the reporting agents' receivers accepted,"
        + " a second, added up", () -> counts.get().acceptedPerSecond());
    metrics.gauge("opamp_agents_own_sent_items_per_second", "Items the reporting agents' exporters sent, a"
        + " second, added up", () -> counts.get().sentPerSecond());
    metrics.labelledCounter("opamp_own_metrics_requests_total", "Own-telemetry OTLP requests by the status answered",
        () -> {
          Map<String, Double> samples = new LinkedHashMap<>();
          receiver.counts().byStatus().forEach((status, n) -> samples.put("status=\"" + status + "\"", n.doubleValue()));
          return samples;
        });
    forwarder.ifPresent(to -> {
      metrics.counter("opamp_own_metrics_forwarded_total", "Own-telemetry requests passed on to the external"
          + " endpoint", to::forwarded);
      metrics.counter("opamp_own_metrics_forward_failures_total", "Own-telemetry requests the external endpoint"
          + " did not take, or dropped with too many on their way", to::failed);
    });
    return receiver;
  }

  private static ServerLimits opampLimits(ServerSettings.Limits limits) {
    return ServerLimits.defaults().withMaxMessageBytes(limits.maxBytes()).withMaxConnections(limits.maxConnections())
        .withMaxConnectionsPerAddress(limits.maxConnectionsPerAddress()).withRequestTimeout(limits.requestTimeout())
        .withIdleTimeout(limits.idleTimeout());
  }

  private static ExecutorService executor(int threads, String name, Deque<AutoCloseable> started) {
    return track(Executors.newFixedThreadPool(threads, DaemonThreads.named(name)), started);
  }

  private static ExecutorService track(ExecutorService executor, Deque<AutoCloseable> started) {
    started.push(() -> {
      executor.shutdown();
      executor.awaitTermination(10, TimeUnit.SECONDS);
    });
    return executor;
  }

  /**
   * A history kept for a while: what drops its entries older than a time (epoch ms), for how long they
   * are kept, and how often it is pruned.
   */
  private record Pruning(LongToIntFunction pruneBefore, Duration retention, Duration every) {}

  private static AutoCloseable pruneHistory(Map<String, Pruning> histories, LongSupplier clock) {
    ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(
        DaemonThreads.named("housekeeping"));
    // Each history on its own: one that fails does not keep the others from being pruned.
    histories.forEach((what, pruning) -> housekeeping.scheduleWithFixedDelay(() ->
        ScheduledJob.runKept(what + ": pruning", () -> {
          int pruned = pruning.pruneBefore().applyAsInt(clock.getAsLong() - pruning.retention().toMillis());
          if (pruned > 0) {
            log.info("{}: pruned {} past the retention of {}", what, pruned, pruning.retention());
          }
        }), 1, pruning.every().toMinutes(), TimeUnit.MINUTES));
    return housekeeping::shutdownNow;
  }

  private static Optional<CertificateSigner> signer(ServerSettings settings, Supplier<InetSocketAddress> opampBound) {
    boolean tls = settings.opamp().tls().isPresent();
    return settings.signing().map(signing -> {
      try {
        CertificateAuthority ca = CertificateAuthority.of(Pem.readCertificate(signing.caCertFile()),
            Pem.readPrivateKey(signing.caKeyFile()));
        return new CertificateSigner(ca, signing.validity(), () -> settings.agents().endpoint()
            .orElseGet(() -> AdvertisedUrls.base(tls ? "wss" : "ws", opampBound.get(), tls) + OpampServer.DEFAULT_PATH));
      } catch (PkiException e) {
        throw new ConfigException("signing: " + e.getMessage());
      }
    });
  }

  private static void registerGauges(FleetMetrics metrics, Inventory inventory, Fleet fleet, FleetCallbacks callbacks,
      WriteBehind writes, RolloutEngine rollouts) {
    // Counting the fleet is a pass over every agent: one a second at most, however often /metrics is read.
    // While the store is away the last count stands, so that the metrics still answer.
    AtomicReference<FleetCounts> lastCounts = new AtomicReference<>(FleetCounts.of(List.of()));
    Supplier<FleetCounts> counts = Suppliers.memoizeWithExpiration(() -> {
      try {
        lastCounts.set(FleetCounts.of(fleet.overview()));
      } catch (StoreException away) {
        // the gauges say what was last counted
      }
      return lastCounts.get();
    }, Duration.ofSeconds(1));
    metrics.gauge("opamp_agents_connected", "Agents connected now", callbacks::connectedAgents);
    metrics.gauge("opamp_agents_known", "Agents of the fleet (servers sharing a store count the same)",
        () -> counts.get().known());
    metrics.gauge("opamp_agents_in_memory", "Agents this server keeps in memory: all it knows when alone; those"
        + " connected to it and those it acts on when sharing a store", inventory::size);
    metrics.gauge("opamp_agents_drifted", "Agents that do not run the config the server wants them to (refused,"
        + " reverted, or changed on their host)", () -> counts.get().drifted());
    metrics.gauge("opamp_store_queue_depth", "Changes waiting for the next store write", writes::queued);
    metrics.counter("opamp_store_batches_total", "Batches written to the store", writes::batches);
    metrics.counter("opamp_store_rows_written_total", "Rows written to the store", writes::rowsWritten);
    metrics.counter("opamp_agent_events_limited_total", "Agents' events not kept: their agents were past "
        + "120 events in the hour", writes::eventsLimited);
    metrics.counter("opamp_store_rows_refused_total", "Rows the store refused for their content; their changes"
        + " were not acknowledged", writes::rowsRefused);
    metrics.counter("opamp_store_write_seconds_total", "Time spent writing batches to the store",
        () -> writes.writeNanos() / 1e9);
    metrics.labelledGauge("opamp_rollout_agents", "Agents of unfinished rollouts by state", () -> {
      Map<String, Double> samples = new LinkedHashMap<>();
      rollouts.list().stream().filter(r -> !r.state().finished()).forEach(r -> r.counts().forEach((state, n) ->
          samples.put("rollout=\"" + r.id() + "\",state=\"" + state + "\"", n.doubleValue())));
      return samples;
    });
    metrics.labelledGauge("opamp_rollouts", "Rollouts by state", () -> {
      Map<String, Double> samples = new LinkedHashMap<>();
      for (RolloutState state : RolloutState.values()) {
        samples.put("state=\"" + state + "\"", 0.0);
      }
      rollouts.list().forEach(r -> samples.merge("state=\"" + r.state() + "\"", 1.0, Double::sum));
      return samples;
    });
  }

  /** The admin API's operations. */
  public List<Route> routes() {
    return routes;
  }

  public InetSocketAddress opampAddress() {
    return opamp.address();
  }

  public InetSocketAddress adminAddress() {
    return admin.address();
  }

  /** The admin token made on first start, to be shown once; empty when tokens already existed. */
  public Optional<String> firstAdminToken() {
    return firstAdminToken;
  }

  /**
   * Stops in the reverse order of starting: listeners, agents' connections and the work in hand,
   * the rollout engine, then the writer, which stores everything acknowledged, then the store.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      closeAll(started);
      log.info("stopped; every acknowledged change is in the store");
    }
  }

  private static void closeAll(Deque<AutoCloseable> started) {
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        log.warn("stopping: {}", e.toString());
      }
    }
  }

  private static String hostPort(InetSocketAddress address) {
    return address.getHostString() + ":" + address.getPort();
  }

}

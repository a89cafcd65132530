package io.opampfleet.simulated;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslProvider;
import io.opampfleet.certs.CertificateRequests;
import io.opampfleet.certs.CertifiedKey;
import io.opampfleet.certs.KeyAlgorithm;
import io.opampfleet.certs.Pem;
import io.opampfleet.certs.TlsContexts;
import io.opampfleet.netty.Backoff;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.netty.client.ClientCallbacks;
import io.opampfleet.netty.client.OpampClient;
import io.opampfleet.proto.AgentCapabilities;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentRemoteConfig;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.CertificateRequest;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.ConnectionSettingsRequest;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.proto.OpAMPConnectionSettings;
import io.opampfleet.proto.OpAMPConnectionSettingsRequest;
import io.opampfleet.proto.PackageStatus;
import io.opampfleet.proto.PackageStatusEnum;
import io.opampfleet.proto.PackageStatuses;
import io.opampfleet.proto.PackagesAvailable;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.proto.ServerErrorResponse;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.proto.TelemetryConnectionSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * An agent on our OpAMP client that reports what a supervised collector reports (description,
 * health, effective config, remote config status, packages) and answers each config as its
 * {@link Behaviour} says: applies it, fails it, takes its time, turns unhealthy or goes away.
 * Over mutual TLS it takes the client certificates offered in connection settings (from its own
 * certificate request or with a key the server made) and reconnects with them; it installs offered
 * packages. Every test suite and the load test run their agents on it.
 */
public final class SimulatedAgent implements ClientCallbacks, AutoCloseable {
  /** What a supervised collector says it can do. */
  public static final long SUPERVISED_COLLECTOR = AgentCapabilities.AgentCapabilities_ReportsStatus_VALUE
      | AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig_VALUE
      | AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig_VALUE
      | AgentCapabilities.AgentCapabilities_ReportsRemoteConfig_VALUE
      | AgentCapabilities.AgentCapabilities_ReportsHealth_VALUE
      | AgentCapabilities.AgentCapabilities_AcceptsRestartCommand_VALUE
      | AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings_VALUE
      | AgentCapabilities.AgentCapabilities_AcceptsPackages_VALUE
      | AgentCapabilities.AgentCapabilities_ReportsPackageStatuses_VALUE;
  /** Failed attempts in a row after which an agent with several servers moves to the next one. */
  static final int FAILURES_BEFORE_MOVING = 2;
  private static final Backoff QUICK = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2);

  /** Makes the agent's client: to its own server, or after {@code moves} moves to the one that many after it. */
  @FunctionalInterface
  public interface Dialer {
    OpampClient.Builder dial(int moves);
  }

  /** Every message the server sent (unless built keeping none). */
  public final List<ServerToAgent> received = new CopyOnWriteArrayList<>();
  /** Every error response the server sent (unless built keeping none). */
  public final List<ServerErrorResponse> errors = new CopyOnWriteArrayList<>();
  /** Packages installed, by name: the downloaded bytes. */
  public final Map<String, byte[]> installed = new ConcurrentHashMap<>();

  private final ByteString uid;
  private final AgentDescription description;
  private final long capabilities;
  private final Behaviour behaviour;
  private final AgentListener listener;
  private final Dialer dialer;
  private final boolean movesOn;
  private final boolean keepsMessages;
  private final ScheduledExecutorService timers;
  private final X509Certificate serverCa;
  private volatile URI endpoint;
  private volatile Duration pollEvery;
  private volatile CertifiedKey key;
  private volatile PrivateKey requestedKey;
  private volatile AvailableComponents components;
  private volatile long extraCapabilities;

  private volatile OpampClient client;
  private volatile String running = "";
  private volatile EffectiveConfig effective;
  private volatile RemoteConfigStatus status;
  private volatile ByteString lastHash = ByteString.EMPTY;
  private volatile int moves;
  private final AtomicInteger failuresInARow = new AtomicInteger();
  private volatile long startedAt;
  private volatile long connectedAt;
  /** When it found its connection gone (0: it has one, or never had). */
  private volatile long lostAt;

  private SimulatedAgent(Builder built) {
    this.uid = built.uid;
    this.description = built.description;
    this.capabilities = built.capabilities;
    this.behaviour = built.behaviour;
    this.listener = built.listener;
    this.movesOn = built.movesOn;
    this.keepsMessages = built.keepsMessages;
    this.timers = built.timers;
    this.serverCa = built.serverCa;
    this.endpoint = built.endpoint;
    this.key = built.key;
    this.dialer = built.dialer != null ? built.dialer : this::dialOwnServer;
  }

  public static Builder builder(ByteString uid) {
    return new Builder(uid);
  }

  public static ByteString newUid() {
    return InstanceUid.bytes(UUID.randomUUID().toString());
  }

  /** From the next start on, speaks plain HTTPS and polls every {@code interval} instead of holding a WebSocket. */
  public SimulatedAgent overHttpEvery(Duration interval) {
    this.endpoint = URI.create(endpoint.toString().replaceFirst("^wss:", "https:"));
    this.pollEvery = interval;
    return this;
  }

  /** From the next start on, says it reports its own metrics, as a supervisor with reports_own_metrics does. */
  public SimulatedAgent reportingOwnMetrics() {
    this.extraCapabilities |= AgentCapabilities.AgentCapabilities_ReportsOwnMetrics_VALUE;
    return this;
  }

  /** From the next start on, says it reports its own logs too. */
  public SimulatedAgent reportingOwnLogs() {
    this.extraCapabilities |= AgentCapabilities.AgentCapabilities_ReportsOwnLogs_VALUE;
    return this;
  }

  /** From the next start on, reports these available components, as a collector does. */
  public SimulatedAgent withComponents(AvailableComponents available) {
    this.components = available;
    return this;
  }

  /** Connects (again, on a new client) and reports everything it has. */
  public synchronized SimulatedAgent start() {
    long said = capabilities | extraCapabilities
        | (components == null ? 0 : AgentCapabilities.AgentCapabilities_ReportsAvailableComponents_VALUE);
    OpampClient fresh = dialer.dial(moves).instanceUid(uid).capabilities(said).callbacks(this).build();
    fresh.setAgentDescription(description);
    if ((said & AgentCapabilities.AgentCapabilities_ReportsHealth_VALUE) != 0) {
      fresh.setHealth(ComponentHealth.newBuilder().setHealthy(true).setStatus("StatusOK").build());
    }
    if (components != null) {
      fresh.setAvailableComponents(components);
    }
    if (effective != null) {
      fresh.setEffectiveConfig(effective);
    }
    if (status != null) {
      fresh.setRemoteConfigStatus(status);
    }
    client = fresh;
    if (startedAt == 0) {
      startedAt = System.nanoTime();
    }
    fresh.start();
    return this;
  }

  /** Drops its connection and opens a new one (to the server after {@link #moves}), reporting what it has again. */
  public void reconnect() {
    lostAt = System.nanoTime();
    // The old client's close completes on its event loop: the new client (and its TLS) is made on the timers.
    client.stop().whenComplete((done, failure) -> timers.execute(this::start));
  }

  /**
   * Sends an OTLP request of its own metrics where the server's offer says, with the offer's headers
   * and its client certificate, as a collector with the offered reader does.
   */
  public HttpResponse<String> sendOwnMetrics(MessageLite request) throws Exception {
    TelemetryConnectionSettings offer = received.stream()
        .filter(m -> m.getConnectionSettings().hasOwnMetrics()).reduce((first, second) -> second)
        .orElseThrow(() -> new IllegalStateException("the server offered no own telemetry"))
        .getConnectionSettings().getOwnMetrics();
    HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(offer.getDestinationEndpoint()))
        .header("Content-Type", "application/x-protobuf").timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray()));
    offer.getHeaders().getHeadersList().forEach(header -> post.header(header.getKey(), header.getValue()));
    JdkSslContext tls = (JdkSslContext) new TlsContexts(SslProvider.JDK).mutualTlsClient(key, serverCa);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(tls.context()).build();
    return http.send(post.build(), HttpResponse.BodyHandlers.ofString());
  }

  public String uid() {
    return InstanceUid.text(uid);
  }

  /** Reports the collector unhealthy, for this reason. */
  public void unhealthy(String lastError) {
    client.setHealth(ComponentHealth.newBuilder().setHealthy(false).setLastError(lastError).build());
  }

  /** Reports the collector healthy with a fresh status time, as its components come and go. */
  public void reportHealthy() {
    client.setHealth(ComponentHealth.newBuilder().setHealthy(true).setStatus("StatusOK")
        .setStatusTimeUnixNano(System.currentTimeMillis() * 1_000_000L).build());
  }

  /** The config the agent runs now: its files' text. */
  public String running() {
    return running;
  }

  /** The certificate the agent connects with now. */
  public X509Certificate certificate() {
    return key.certificate();
  }

  public CertifiedKey key() {
    return key;
  }

  /** Sends a certificate request for a new key, its subject's common name {@code commonName}. */
  public void requestCertificate(String commonName) {
    KeyPair keys = KeyAlgorithm.EC_P256.generate();
    requestedKey = keys.getPrivate();
    String csr = Pem.encode(CertificateRequests.create(keys, commonName));
    client.requestConnectionSettings(ConnectionSettingsRequest.newBuilder()
        .setOpamp(OpAMPConnectionSettingsRequest.newBuilder()
            .setCertificateRequest(CertificateRequest.newBuilder()
                .setCsr(ByteString.copyFrom(csr, StandardCharsets.US_ASCII))))
        .build());
  }

  @Override
  public void onConnect() {
    failuresInARow.set(0);
    if (connectedAt == 0) {
      connectedAt = System.nanoTime();
      listener.connected(connectedAt - startedAt);
    } else if (lostAt != 0) {
      listener.reconnected();
      lostAt = 0;
    }
  }

  @Override
  public void onTlsHandshake(Duration took) {
    listener.handshake(took.toNanos());
  }

  @Override
  public void onConnectFailed(Throwable cause) {
    listener.error(cause);
    if (connectedAt != 0 && lostAt == 0) {
      lostAt = System.nanoTime();
    }
    // As an agent given several server addresses does: its server is gone, so it tries the next one.
    if (movesOn && failuresInARow.incrementAndGet() >= FAILURES_BEFORE_MOVING) {
      failuresInARow.set(0);
      timers.execute(() -> {
        moves++;
        reconnect();
      });
    }
  }

  @Override
  public void onError(ServerErrorResponse error) {
    if (keepsMessages) {
      errors.add(error);
    }
    listener.error("server error: " + error.getType());
  }

  @Override
  public void onMessage(ServerToAgent message) {
    if (keepsMessages) {
      received.add(message);
    }
    if (message.hasRemoteConfig()) {
      offered(message.getRemoteConfig());
    }
    if (message.hasPackagesAvailable()) {
      new Thread(() -> install(message.getPackagesAvailable()), "install").start();
    }
    if (message.hasConnectionSettings() && message.getConnectionSettings().hasOpamp() && key != null) {
      new Thread(() -> takeCertificate(message.getConnectionSettings().getOpamp()), "reconnect").start();
    }
  }

  /** A config it has not seen yet: answered as the behaviour says, at once or after APPLYING for a while. */
  private void offered(AgentRemoteConfig remote) {
    ByteString hash = remote.getConfigHash();
    if (hash.equals(lastHash)) {
      return;
    }
    lastHash = hash;
    listener.received(System.nanoTime());
    String text = remote.getConfig().getConfigMapMap().values().stream()
        .map(file -> file.getBody().toString(StandardCharsets.UTF_8)).collect(Collectors.joining("\n"));
    Reaction reaction = behaviour.react(text);
    if (reaction.delay().isZero()) {
      answer(remote, text, reaction);
      return;
    }
    report(hash, RemoteConfigStatuses.RemoteConfigStatuses_APPLYING, "");
    timers.schedule(() -> answer(remote, text, reaction), reaction.delay().toNanos(), TimeUnit.NANOSECONDS);
  }

  private void answer(AgentRemoteConfig remote, String text, Reaction reaction) {
    ByteString hash = remote.getConfigHash();
    if (!hash.equals(lastHash)) {
      return;  // a newer config came meanwhile (a rollback, say): it is the one to answer
    }
    switch (reaction.outcome()) {
      case GO_AWAY -> {
        client.stop();
        return;
      }
      case FAIL -> report(hash, RemoteConfigStatuses.RemoteConfigStatuses_FAILED, reaction.reason());
      case APPLY, TURN_UNHEALTHY -> {
        running = text;
        effective = EffectiveConfig.newBuilder().setConfigMap(remote.getConfig()).build();
        client.setEffectiveConfig(effective);
        report(hash, RemoteConfigStatuses.RemoteConfigStatuses_APPLIED, "");
        if (reaction.outcome() == Reaction.Outcome.TURN_UNHEALTHY) {
          unhealthy(reaction.reason());
        }
      }
    }
    listener.applied(System.nanoTime(), reaction.outcome() == Reaction.Outcome.FAIL);
  }

  private void report(ByteString hash, RemoteConfigStatuses outcome, String error) {
    status = RemoteConfigStatus.newBuilder().setLastRemoteConfigHash(hash).setStatus(outcome)
        .setErrorMessage(error).build();
    client.setRemoteConfigStatus(status);
  }

  /** Downloads each offered package, checks its hash, and reports it installed (or why not). */
  private void install(PackagesAvailable available) {
    PackageStatuses.Builder statuses = PackageStatuses.newBuilder()
        .setServerProvidedAllPackagesHash(available.getAllPackagesHash());
    available.getPackagesMap().forEach((name, offered) -> {
      PackageStatus.Builder status = PackageStatus.newBuilder().setName(name)
          .setServerOfferedVersion(offered.getVersion()).setServerOfferedHash(offered.getHash());
      try {
        byte[] content = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(offered.getFile().getDownloadUrl())).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(content);
        if (!ByteString.copyFrom(hash).equals(offered.getFile().getContentHash())) {
          throw new IllegalStateException("the download does not match its content hash");
        }
        installed.put(name, content);
        status.setAgentHasVersion(offered.getVersion()).setAgentHasHash(offered.getHash())
            .setStatus(PackageStatusEnum.PackageStatusEnum_Installed);
      } catch (Exception e) {
        status.setStatus(PackageStatusEnum.PackageStatusEnum_InstallFailed).setErrorMessage(String.valueOf(e));
      }
      statuses.putPackages(name, status.build());
    });
    client.setPackageStatuses(statuses.build());
  }

  /** Takes the offered certificate (with the key the server sent, or the one it requested for) and reconnects. */
  private synchronized void takeCertificate(OpAMPConnectionSettings settings) {
    X509Certificate certificate = only(X509Certificate.class, settings.getCertificate().getCert());
    PrivateKey privateKey = settings.getCertificate().getPrivateKey().isEmpty() ? requestedKey
        : only(PrivateKey.class, settings.getCertificate().getPrivateKey());
    key = new CertifiedKey(privateKey, certificate, List.of());
    client.stop().join();
    start();
  }

  private static <T> T only(Class<T> type, ByteString pem) {
    return Pem.parseAll("the offer", pem.toString(StandardCharsets.US_ASCII)).stream().filter(type::isInstance)
        .map(type::cast).findFirst().orElseThrow();
  }

  /** Its own server over mutual TLS with its current key, by WebSocket or, when told, by polling over HTTPS. */
  private OpampClient.Builder dialOwnServer(int moves) {
    OpampClient.Builder builder = OpampClient.builder().endpoint(endpoint).backoff(QUICK)
        .tls(TlsContexts.preferred().mutualTlsClient(key, serverCa));
    return pollEvery == null ? builder : builder.pollingInterval(pollEvery);
  }

  /** Says goodbye and closes its connection; completes once it is closed. */
  public CompletableFuture<Void> stop() {
    return client.stop();
  }

  /** Says goodbye and closes its connection, waiting for it. */
  @Override
  public void close() {
    stop().join();
  }

  /** How an agent is made: who it is, how it reaches its server, what it does with configs. */
  public static final class Builder {
    private final ByteString uid;
    private AgentDescription description = AgentDescription.getDefaultInstance();
    private long capabilities = SUPERVISED_COLLECTOR;
    private Behaviour behaviour = Behaviour.failingConfigsMarked(Behaviour.FAILS);
    private AgentListener listener = AgentListener.NONE;
    private Dialer dialer;
    private URI endpoint;
    private CertifiedKey key;
    private X509Certificate serverCa;
    private boolean movesOn;
    private boolean keepsMessages = true;
    private ScheduledExecutorService timers;

    private Builder(ByteString uid) {
      this.uid = uid;
    }

    /** Its description: these labels as identifying attributes. */
    public Builder labels(Map<String, String> labels) {
      AgentDescription.Builder described = AgentDescription.newBuilder();
      labels.forEach((name, value) -> described.addIdentifyingAttributes(KeyValue.newBuilder().setKey(name)
          .setValue(AnyValue.newBuilder().setStringValue(value))));
      return description(described.build());
    }

    public Builder description(AgentDescription description) {
      this.description = description;
      return this;
    }

    /** Its server, reached over mutual TLS with this client key (replaced by certificates it is offered). */
    public Builder overMutualTls(URI endpoint, CertifiedKey key, X509Certificate serverCa) {
      this.endpoint = endpoint;
      this.key = key;
      this.serverCa = serverCa;
      return this;
    }

    /** Its clients made by {@code dialer} (event loops, TLS, headers, backoff, servers), not by the agent. */
    public Builder dialer(Dialer dialer) {
      this.dialer = dialer;
      return this;
    }

    /** What it says it can do; a supervised collector's capabilities unless told. */
    public Builder capabilities(long capabilities) {
      this.capabilities = capabilities;
      return this;
    }

    /** What it does with configs; unless told, it fails those marked {@link Behaviour#FAILS} and applies the rest. */
    public Builder behaviour(Behaviour behaviour) {
      this.behaviour = behaviour;
      return this;
    }

    public Builder listener(AgentListener listener) {
      this.listener = listener;
      return this;
    }

    /** When its server fails it twice in a row, it moves on to the dialer's next one. */
    public Builder movingOnWhenItsServerFails() {
      this.movesOn = true;
      return this;
    }

    /** Keeps no message it receives (a fleet of thousands would hold them all). */
    public Builder keepingNoMessages() {
      this.keepsMessages = false;
      return this;
    }

    /** Where its delayed answers and moves are timed; one shared thread unless told. */
    public Builder timers(ScheduledExecutorService timers) {
      this.timers = timers;
      return this;
    }

    public SimulatedAgent build() {
      if (dialer == null && endpoint == null) {
        throw new IllegalStateException("an agent needs a server: overMutualTls or a dialer");
      }
      if (timers == null) {
        timers = SharedTimers.INSTANCE;
      }
      return new SimulatedAgent(this);
    }
  }

  /** One daemon thread for the delayed answers of agents that were given no timers of their own. */
  private static final class SharedTimers {
    static final ScheduledExecutorService INSTANCE = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "simulated-agent-timers");
      thread.setDaemon(true);
      return thread;
    });
  }
}

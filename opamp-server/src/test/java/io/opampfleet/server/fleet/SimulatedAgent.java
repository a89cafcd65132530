package io.opampfleet.server.fleet;

import com.google.protobuf.ByteString;
import io.opampfleet.certs.CertificateRequests;
import io.opampfleet.certs.CertifiedKey;
import io.opampfleet.certs.KeyAlgorithm;
import io.opampfleet.certs.Pem;
import io.opampfleet.certs.TlsContexts;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.netty.Backoff;
import io.opampfleet.netty.client.ClientCallbacks;
import io.opampfleet.netty.client.OpampClient;
import io.opampfleet.netty.server.JdkClients;
import io.opampfleet.proto.AgentCapabilities;
import io.opampfleet.proto.AgentDescription;
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
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An agent on our client over mutual TLS that applies what it is sent: a config whose body
 * contains {@code # fail} is reported FAILED and the agent keeps its previous config, as a
 * supervisor does. It takes new client certificates offered in connection settings, from its own
 * certificate request or with a key the server made, and reconnects with them.
 */
public final class SimulatedAgent implements ClientCallbacks, AutoCloseable {
  private static final long CAPABILITIES = AgentCapabilities.AgentCapabilities_ReportsStatus_VALUE
      | AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig_VALUE
      | AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig_VALUE
      | AgentCapabilities.AgentCapabilities_ReportsRemoteConfig_VALUE
      | AgentCapabilities.AgentCapabilities_ReportsHealth_VALUE
      | AgentCapabilities.AgentCapabilities_AcceptsRestartCommand_VALUE
      | AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings_VALUE
      | AgentCapabilities.AgentCapabilities_AcceptsPackages_VALUE
      | AgentCapabilities.AgentCapabilities_ReportsPackageStatuses_VALUE;

  public final List<ServerToAgent> received = new CopyOnWriteArrayList<>();
  public final List<ServerErrorResponse> errors = new CopyOnWriteArrayList<>();
  /** Packages installed, by name: the downloaded bytes. */
  public final Map<String, byte[]> installed = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile URI endpoint;
  private volatile Duration pollEvery;
  private volatile AvailableComponents components;
  private volatile long extraCapabilities;
  private final X509Certificate serverCa;
  private final ByteString uid;
  private final boolean fragile;
  private final AgentDescription description;
  private volatile CertifiedKey key;
  private volatile PrivateKey requestedKey;
  private volatile OpampClient client;
  private volatile String running = "";
  private volatile RemoteConfigStatus status;

  /** A fragile agent also fails configs marked {@code # fragile}, as part of a fleet might. */
  public SimulatedAgent(URI endpoint, CertifiedKey key, X509Certificate serverCa, Map<String, String> labels,
      ByteString uid, boolean fragile) {
    this.endpoint = endpoint;
    this.key = key;
    this.serverCa = serverCa;
    this.uid = uid;
    this.fragile = fragile;
    AgentDescription.Builder description = AgentDescription.newBuilder();
    labels.forEach((name, value) -> description.addIdentifyingAttributes(KeyValue.newBuilder().setKey(name)
        .setValue(AnyValue.newBuilder().setStringValue(value))));
    this.description = description.build();
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

  public synchronized SimulatedAgent start() {
    OpampClient.Builder builder = OpampClient.builder();
    if (pollEvery != null) {
      builder.pollingInterval(pollEvery);
    }
    client = builder.endpoint(endpoint).instanceUid(uid).capabilities(CAPABILITIES | extraCapabilities
            | (components == null ? 0 : AgentCapabilities.AgentCapabilities_ReportsAvailableComponents_VALUE))
        .backoff(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2))
        .tls(TlsContexts.preferred().mutualTlsClient(key, serverCa))
        .callbacks(this)
        .build();
    client.setAgentDescription(description);
    client.setHealth(ComponentHealth.newBuilder().setHealthy(true).setStatus("StatusOK").build());
    if (components != null) {
      client.setAvailableComponents(components);
    }
    if (status != null) {
      client.setRemoteConfigStatus(status);
    }
    client.start();
    return this;
  }

  /**
   * Sends an OTLP request of its own metrics where the server's offer says, with the offer's headers
   * and its client certificate, as a collector with the offered reader does.
   */
  public HttpResponse<String> sendOwnMetrics(ExportMetricsServiceRequest request) throws Exception {
    TelemetryConnectionSettings offer = received.stream()
        .filter(m -> m.getConnectionSettings().hasOwnMetrics()).reduce((first, second) -> second)
        .orElseThrow(() -> new IllegalStateException("the server offered no own telemetry"))
        .getConnectionSettings().getOwnMetrics();
    HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(offer.getDestinationEndpoint()))
        .header("Content-Type", "application/x-protobuf").timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray()));
    offer.getHeaders().getHeadersList().forEach(header -> post.header(header.getKey(), header.getValue()));
    return JdkClients.http(JdkClients.tls(key, serverCa)).send(post.build(), HttpResponse.BodyHandlers.ofString());
  }

  public String uid() {
    return InstanceUid.text(uid);
  }

  /** Reports the collector unhealthy, for this reason. */
  public void unhealthy(String lastError) {
    client.setHealth(ComponentHealth.newBuilder().setHealthy(false).setLastError(lastError).build());
  }

  /** The config body the agent runs now. */
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
  public void onError(ServerErrorResponse error) {
    errors.add(error);
  }

  @Override
  public void onMessage(ServerToAgent message) {
    received.add(message);
    if (message.hasRemoteConfig()) {
      apply(message);
    }
    if (message.hasPackagesAvailable()) {
      new Thread(() -> install(message.getPackagesAvailable()), "install").start();
    }
    if (message.hasConnectionSettings() && message.getConnectionSettings().hasOpamp()) {
      new Thread(() -> reconnect(message.getConnectionSettings().getOpamp()), "reconnect").start();
    }
  }

  private void apply(ServerToAgent message) {
    String body = message.getRemoteConfig().getConfig().getConfigMapMap().values().stream()
        .map(file -> file.getBody().toString(StandardCharsets.UTF_8)).findFirst().orElse("");
    boolean fails = body.contains("# fail") || (fragile && body.contains("# fragile"));
    if (!fails) {
      running = body;
      client.setEffectiveConfig(EffectiveConfig.newBuilder().setConfigMap(message.getRemoteConfig().getConfig()).build());
    }
    status = RemoteConfigStatus.newBuilder()
        .setLastRemoteConfigHash(message.getRemoteConfig().getConfigHash())
        .setStatus(fails ? RemoteConfigStatuses.RemoteConfigStatuses_FAILED : RemoteConfigStatuses.RemoteConfigStatuses_APPLIED)
        .setErrorMessage(fails ? "the collector refused the config: unknown component" : "")
        .build();
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
        byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(content);
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

  /** Takes the offered certificate (with the key the server sent, or the one it requested for). */
  private synchronized void reconnect(OpAMPConnectionSettings settings) {
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

  @Override
  public void close() {
    client.stop().join();
  }
}

package io.opampfleet.server.fleet;

import com.google.common.hash.Hashing;
import com.google.protobuf.ByteString;
import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.CertifiedKey;
import io.opampfleet.certs.KeyAlgorithm;
import io.opampfleet.certs.Pem;
import io.opampfleet.certs.ServerNames;
import io.opampfleet.certs.Validity;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.netty.server.Balancers;
import io.opampfleet.server.FleetServer;
import io.opampfleet.server.settings.ServerSettings.AgentPolicy;
import io.opampfleet.server.settings.ServerSettings.Limits;
import io.opampfleet.server.settings.ServerSettings.Listener;
import io.opampfleet.server.settings.ServerSettings.Signing;
import io.opampfleet.server.settings.ServerSettings.Storage;
import io.opampfleet.server.settings.ServerSettings.Tls;
import io.opampfleet.server.settings.ServerSettings.TokenEntry;
import io.opampfleet.server.settings.ServerSettings;
import io.opampfleet.simulated.Behaviour;
import io.opampfleet.simulated.SimulatedAgent;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A fleet server for tests: mutual TLS for agents from a fresh CA, the store in a directory the
 * test owns (so a restart finds it), and one token per role.
 */
public final class TestFleet implements AutoCloseable {
  public static final String ADMIN = "admin-secret";
  public static final String OPERATOR = "operator-secret";
  public static final String VIEWER = "viewer-secret";

  /** A token as server.yaml names it: the hex SHA-256 of its text. */
  public static String tokenSha256(String token) {
    return Hashing.sha256().hashString(token, StandardCharsets.UTF_8).toString();
  }

  private final Path dir;
  private final CertificateAuthority ca = CertificateAuthority.create("test fleet CA", KeyAlgorithm.EC_P256,
      Validity.days(2));
  private final Optional<String> jdbcUrl;
  private FleetServer server;
  private int opampPort;
  private int adminPort;
  private Limits adminLimits = Limits.adminDefaults(Runtime.getRuntime().maxMemory());
  private Balancers balancers = Balancers.none();
  private boolean agentTls = true;
  // A sample a second: tests see several within seconds.
  private ServerSettings.OwnTelemetry ownTelemetry = new ServerSettings.OwnTelemetry(true, Optional.empty(),
      Duration.ofMinutes(2), 120, 1024 * 1024, 600);
  private boolean requireUidInCertificate;
  private int newConnectionsPerSecond;
  private long maxReportedBytes = AgentPolicy.defaultMaxReportedBytes(Runtime.getRuntime().maxMemory());

  public TestFleet(Path dir) {
    this(dir, Optional.empty());
  }

  public TestFleet(Path dir, Optional<String> jdbcUrl) {
    this.dir = dir;
    this.jdbcUrl = jdbcUrl;
    CertifiedKey serverKey = ca.issueServer(ServerNames.localhost(), Validity.days(2));
    Pem.write(dir.resolve("server.pem"), serverKey.certificate());
    Pem.write(dir.resolve("server-key.pem"), serverKey.privateKey());
    Pem.write(dir.resolve("ca.pem"), ca.certificate());
    Pem.write(dir.resolve("ca-key.pem"), ca.certifiedKey().privateKey());
  }

  /** The admin listener's limits from the next start on. */
  public TestFleet withAdminLimits(Limits limits) {
    this.adminLimits = limits;
    return this;
  }

  /**
   * From the next start on, these balancers are in front of the agents' listener; without TLS there
   * (a balancer ends it), and agents' certificates must name their uid.
   */
  public TestFleet behind(Balancers balancers, boolean agentTls) {
    this.balancers = balancers;
    this.agentTls = agentTls;
    this.requireUidInCertificate = true;
    return this;
  }

  /** From the next start on, an agent's certificate must name its uid, as by default with a client CA. */
  public TestFleet requiringUidInCertificates() {
    this.requireUidInCertificate = true;
    return this;
  }

  /** From the next start on, the OpAMP listener takes this many new connections a second (0: its default). */
  public TestFleet withNewConnectionsPerSecond(int perSecond) {
    this.newConnectionsPerSecond = perSecond;
    return this;
  }

  /** From the next start on, all agents' reported state is held up to this many bytes. */
  public TestFleet withMaxReportedBytes(long bytes) {
    this.maxReportedBytes = bytes;
    return this;
  }

  /** Agents' own metrics: what the server offers and keeps. */
  public TestFleet withOwnTelemetry(ServerSettings.OwnTelemetry settings) {
    this.ownTelemetry = settings;
    return this;
  }

  /** From the next start on, agents connect without TLS (and without a balancer). */
  public TestFleet withPlainAgents() {
    this.agentTls = false;
    return this;
  }

  /** The server's name among servers sharing its store: its directory's. */
  public String replicaName() {
    return dir.getFileName().toString();
  }

  public int opampPort() {
    return opampPort;
  }

  public TestFleet start() {
    server = FleetServer.start(settings());
    opampPort = server.opampAddress().getPort();
    adminPort = server.adminAddress().getPort();
    return this;
  }

  /** Stops the server as a shutdown would and starts it again on the same ports and store. */
  public TestFleet restart() {
    server.close();
    return start();
  }

  private ServerSettings settings() {
    Tls tls = new Tls(dir.resolve("server.pem"), dir.resolve("server-key.pem"), Optional.of(dir.resolve("ca.pem")));
    return new ServerSettings(
        new Listener(new InetSocketAddress("127.0.0.1", opampPort), agentTls ? Optional.of(tls) : Optional.empty(), false,
            opampLimits(), balancers),
        new Listener(new InetSocketAddress("127.0.0.1", adminPort), Optional.empty(), false, adminLimits,
            Balancers.none()),
        new AgentPolicy(requireUidInCertificate, Optional.empty(), Optional.empty(),
            maxReportedBytes, AgentPolicy.DEFAULT_FORGET_AFTER),
        List.of(new TokenEntry("test-admin", "admin", tokenSha256(ADMIN)),
            new TokenEntry("test-operator", "operator", tokenSha256(OPERATOR)),
            new TokenEntry("test-viewer", "viewer", tokenSha256(VIEWER))),
        new Storage(dir.resolve("data"), jdbcUrl, jdbcUrl.isPresent() ? "fleet" : "", jdbcUrl.isPresent() ? "fleet" : "",
            replicaName()),
        Duration.ofDays(1), Optional.of(new Signing(dir.resolve("ca.pem"), dir.resolve("ca-key.pem"), Duration.ofDays(1))),
        "text", List.of(ServerSettings.DEFAULT_SECRET_KEYS), Duration.ofDays(1), ownTelemetry);
  }

  private Limits opampLimits() {
    Limits defaults = Limits.opampDefaults(Runtime.getRuntime().maxMemory());
    return newConnectionsPerSecond == 0 ? defaults : new Limits(defaults.maxBytes(), defaults.maxPackageBytes(),
        defaults.maxConnections(), defaults.maxConnectionsPerAddress(), defaults.requestTimeout(),
        defaults.idleTimeout(), defaults.maxEventStreams(), newConnectionsPerSecond);
  }

  public URI opampEndpoint() {
    return URI.create((agentTls ? "wss" : "ws") + "://localhost:" + opampPort + "/v1/opamp");
  }

  public AdminClient admin(String token) {
    return new AdminClient(adminUrl(), token);
  }

  public URI adminUrl() {
    return URI.create("http://127.0.0.1:" + adminPort);
  }

  public CertificateAuthority ca() {
    return ca;
  }

  /** The PEM file of the CA that signs the server's and the agents' certificates. */
  public Path caFile() {
    return dir.resolve("ca.pem");
  }

  /** A client key and certificate for this identity, trusted by the server. */
  public CertifiedKey clientKey(String identity) {
    return ca.issueClient(identity, Validity.days(1));
  }

  /** An agent on our client with a certificate named by its uid. */
  public SimulatedAgent agent(Map<String, String> labels, ByteString uid, boolean fragile) {
    return SimulatedAgent.builder(uid).labels(labels)
        .overMutualTls(opampEndpoint(), clientKey(InstanceUid.text(uid)), ca.certificate())
        .behaviour(fragile ? Behaviour.failingConfigsMarked(Behaviour.FAILS, Behaviour.FRAGILE)
            : Behaviour.failingConfigsMarked(Behaviour.FAILS))
        .build();
  }

  public FleetServer server() {
    return server;
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
      server = null;
    }
  }
}

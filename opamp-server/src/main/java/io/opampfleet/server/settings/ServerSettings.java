package io.opampfleet.server.settings;

import io.opampfleet.netty.server.Balancers;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What server.yaml says, with every default filled in.
 *
 * @param opamp the agents' listener
 * @param admin the operators' listener: REST API, UI, metrics
 * @param storage where the inventory, configs and rollouts live
 * @param events how long agent events are kept
 * @param signing the CA that signs agents' certificate requests, when configured
 * @param logFormat {@code text} or {@code json}
 * @param secretKeys regular expressions for the keys whose values only admins read
 * @param auditRetention how long the audit log keeps a change
 * @param ownTelemetry where agents send their own metrics, and what the server keeps of them
 */
public record ServerSettings(
    Listener opamp,
    Listener admin,
    AgentPolicy agents,
    List<TokenEntry> tokens,
    Storage storage,
    Duration eventRetention,
    Optional<Signing> signing,
    String logFormat,
    List<String> secretKeys,
    Duration auditRetention,
    OwnTelemetry ownTelemetry) {

  /**
   * Keys whose names speak of secrets; paths to files of secrets ({@code key_file}, {@code token_path})
   * are not secrets themselves.
   */
  public static final String DEFAULT_SECRET_KEYS = "(?i)(?!.*(_file|_path|_env)$).*(password|passwd|secret|token"
      + "|api[-_]?key|apikey|authorization|credential|private[-_]?key|access[-_]?key|session[-_]?key|cookie).*";

  /**
   * One listener: its address, TLS (mutual when a client CA is given), limits, and the balancers in
   * front of it (the agents' listener only).
   */
  public record Listener(InetSocketAddress address, Optional<Tls> tls, boolean insecure, Limits limits,
      Balancers balancers) {
    public boolean loopback() {
      return address.getAddress() != null && address.getAddress().isLoopbackAddress();
    }
  }

  /**
   * What one listener lets its clients take.
   *
   * @param maxBytes OpAMP: the largest message, after decompression; admin: the largest request body
   *     but for package files an admin uploads
   * @param maxPackageBytes admin only: the largest package file an admin uploads (gathered in memory,
   *     one at a time)
   * @param maxConnections open connections beyond this are refused with 503
   * @param maxConnectionsPerAddress open connections from one client address beyond this, likewise
   * @param requestTimeout how long a client may take to deliver a whole request
   * @param idleTimeout a connection on which nothing moves for this long is closed
   * @param maxEventStreams admin only: server-sent event streams open at once
   * @param newConnectionsPerSecond OpAMP only: new connections taken a second; past it they are
   *     answered 503 with a Retry-After (a reconnect storm, after a server of several died)
   */
  public record Limits(int maxBytes, int maxPackageBytes, int maxConnections, int maxConnectionsPerAddress,
      Duration requestTimeout, Duration idleTimeout, int maxEventStreams, int newConnectionsPerSecond) {
    private static final int MIB = 1024 * 1024;

    /**
     * The OpAMP listener's: a message limit of 1/128 of the heap (8 MiB for 1 GiB), between 256 KiB
     * and the specification's 64 MiB, so that the connections reading messages at once cannot take it.
     */
    public static Limits opampDefaults(long maxHeapBytes) {
      int maxBytes = (int) Math.max(256 * 1024, Math.min(64L * MIB, maxHeapBytes / 128));
      return new Limits(maxBytes, 0, 100_000, 100_000, Duration.ofSeconds(10), Duration.ofMinutes(5), 0, 2_000);
    }

    /** The admin listener's: package files up to a quarter of the heap, and 512 MiB at most. */
    public static Limits adminDefaults(long maxHeapBytes) {
      int maxPackageBytes = (int) Math.max(MIB, Math.min(512L * MIB, maxHeapBytes / 4));
      return new Limits(4 * MIB, maxPackageBytes, 1_000, 100, Duration.ofSeconds(60), Duration.ofSeconds(60), 64, 0);
    }
  }

  public record Tls(Path certFile, Path keyFile, Optional<Path> clientCaFile) {}

  /**
   * @param requireUidInCertificate the agent certificate's subject must name its instance uid
   * @param endpoint the OpAMP URL agents reach this server at, for connection settings offers; empty
   *     for one made from the listener
   * @param packageDownloadUrl the base URL agents download hosted packages from; empty for the
   *     admin listener's
   * @param maxReportedBytes the most the server holds of what all agents reported (see
   *     {@code ReportedStateBudget}); by default a quarter of the heap
   * @param forgetAfter an agent neither connected nor heard from for this long is forgotten
   */
  public record AgentPolicy(boolean requireUidInCertificate, Optional<String> endpoint,
      Optional<String> packageDownloadUrl, long maxReportedBytes, Duration forgetAfter) {
    public static final Duration DEFAULT_FORGET_AFTER = Duration.ofDays(30);

    public static long defaultMaxReportedBytes(long maxHeapBytes) {
      return maxHeapBytes / 4;
    }
  }

  /** An API token from the file: its name, role and the SHA-256 of its secret. */
  public record TokenEntry(String name, String role, String sha256) {}

  /**
   * @param jdbcUrl a PostgreSQL URL; empty for the embedded H2 in {@code dataDir}
   * @param replicaName the name this server goes by among the servers sharing the store: each agent
   *     shows the one holding its connection
   */
  public record Storage(Path dataDir, Optional<String> jdbcUrl, String username, String password,
      String replicaName) {}

  /**
   * Agents' own metrics: offered to agents that report them, to this server's OTLP receiver (on the
   * agents' listener), to an external OTLP/HTTP endpoint, or to both (the server forwards what it
   * receives).
   *
   * @param toServer the server receives and shows them
   * @param external an OTLP/HTTP metrics endpoint the operator runs, with the headers it needs
   * @param window how far back each agent's figures are kept
   * @param samples how many figures over the window are kept per agent (the memory it takes)
   * @param maxRequestBytes the largest OTLP request taken, once decompressed
   * @param requestsPerMinute one agent's requests taken a minute; past it they are answered 429
   */
  public record OwnTelemetry(boolean toServer, Optional<External> external, Duration window, int samples,
      int maxRequestBytes, int requestsPerMinute) {
    /** Whether agents are offered anywhere to send their metrics. */
    public boolean offered() {
      return toServer || external.isPresent();
    }
  }

  /**
   * The operator's own OTLP/HTTP endpoints: metrics, and optionally logs and traces (offered to
   * agents that report those), with the headers they need.
   */
  public record External(java.net.URI endpoint, Optional<java.net.URI> logsEndpoint,
      Optional<java.net.URI> tracesEndpoint, java.util.Map<String, String> headers) {}

  /** @param validity how long a certificate signed from an agent's request is valid */
  public record Signing(Path caCertFile, Path caKeyFile, Duration validity) {}
}

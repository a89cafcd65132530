package io.opampfleet.server.settings;

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
 */
public record ServerSettings(
    Listener opamp,
    Listener admin,
    AgentPolicy agents,
    List<TokenEntry> tokens,
    Storage storage,
    Duration eventRetention,
    Optional<Signing> signing,
    String logFormat) {

  /** One listener: its address and TLS (mutual when a client CA is given). */
  public record Listener(InetSocketAddress address, Optional<Tls> tls, boolean insecure) {
    public boolean loopback() {
      return address.getAddress() != null && address.getAddress().isLoopbackAddress();
    }
  }

  public record Tls(Path certFile, Path keyFile, Optional<Path> clientCaFile) {}

  /**
   * @param requireUidInCertificate the agent certificate's subject must name its instance uid
   * @param endpoint the OpAMP URL agents reach this server at, for connection settings offers; empty
   *     for one made from the listener
   * @param packageDownloadUrl the base URL agents download hosted packages from; empty for the
   *     admin listener's
   */
  public record AgentPolicy(boolean requireUidInCertificate, Optional<String> endpoint,
      Optional<String> packageDownloadUrl) {}

  /** An API token from the file: its name, role and the SHA-256 of its secret. */
  public record TokenEntry(String name, String role, String sha256) {}

  /** @param jdbcUrl a PostgreSQL URL; empty for the embedded H2 in {@code dataDir} */
  public record Storage(Path dataDir, Optional<String> jdbcUrl, String username, String password) {}

  /** @param validity how long a certificate signed from an agent's request is valid */
  public record Signing(Path caCertFile, Path caKeyFile, Duration validity) {}
}

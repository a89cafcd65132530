package io.opampfleet.server.internal.opamp;

import com.google.protobuf.ByteString;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.proto.AgentCapabilities;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.AgentRemoteConfig;
import io.opampfleet.proto.CommandType;
import io.opampfleet.proto.ConnectionSettingsOffers;
import io.opampfleet.proto.PackagesAvailable;
import io.opampfleet.proto.ServerCapabilities;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.proto.ServerToAgentCommand;
import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.hosting.PackageOffers;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.packages.HostedPackage;
import io.opampfleet.server.internal.telemetry.OwnTelemetryOffers;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the server sends agents on its own: their config when it changes, commands, and new
 * client certificates when a signing CA is configured.
 */
public final class AgentCommands {
  private static final long BASE_CAPABILITIES = ServerCapabilities.ServerCapabilities_AcceptsStatus_VALUE
      | ServerCapabilities.ServerCapabilities_OffersRemoteConfig_VALUE
      | ServerCapabilities.ServerCapabilities_AcceptsEffectiveConfig_VALUE
      | ServerCapabilities.ServerCapabilities_OffersPackages_VALUE
      | ServerCapabilities.ServerCapabilities_AcceptsPackagesStatus_VALUE;

  private final Optional<CertificateSigner> signer;
  private final PackageOffers packages;
  private final OwnTelemetryOffers ownTelemetry;
  private final long capabilities;
  // A rollout sends one version to thousands of agents: build its message part once.
  private final Map<String, AgentRemoteConfig> remoteConfigs = new ConcurrentHashMap<>();

  public AgentCommands(Optional<CertificateSigner> signer, PackageOffers packages, OwnTelemetryOffers ownTelemetry) {
    this.signer = signer;
    this.packages = packages;
    this.ownTelemetry = ownTelemetry;
    this.capabilities = BASE_CAPABILITIES | (signer.isPresent()
        ? ServerCapabilities.ServerCapabilities_OffersConnectionSettings_VALUE
          | ServerCapabilities.ServerCapabilities_AcceptsConnectionSettingsRequest_VALUE : 0)
        | (ownTelemetry.enabled() ? ServerCapabilities.ServerCapabilities_OffersConnectionSettings_VALUE : 0);
  }

  /** The capabilities this server announces in every message. */
  public long capabilities() {
    return capabilities;
  }

  Optional<CertificateSigner> signer() {
    return signer;
  }

  public boolean canSign() {
    return signer.isPresent();
  }

  /** Sends the agent its desired config now, when it is connected, takes remote config and lacks it. */
  public void sendDesiredConfig(Agent agent) {
    AgentConnection connection = agent.connection();
    if (connection != null) {
      remoteConfigDue(agent).ifPresent(config -> connection.send(message(agent).setRemoteConfig(config).build()));
    }
  }

  /**
   * The agent's desired config, when it takes remote config and lacks it; or, when the server wants
   * it on its local config and it runs a remote one, an empty config map, the only way the
   * specification has to take a remote config back. Marks it sent.
   */
  Optional<AgentRemoteConfig> remoteConfigDue(Agent agent) {
    if (!agent.can(AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig_VALUE)) {
      return Optional.empty();
    }
    if (agent.dropDue()) {
      return Optional.of(AgentRemoteConfig.newBuilder().setConfig(AgentConfigMap.getDefaultInstance())
          .setConfigHash(ByteString.fromHex(ConfigVersion.LOCAL_CONFIG_SHA256)).build());
    }
    return Optional.ofNullable(agent.configToSend()).map(this::remoteConfig);
  }

  /** The agent's package set, when it takes packages and lacks it; marks it sent. */
  Optional<PackagesAvailable> packagesDue(Agent agent) {
    if (!agent.can(AgentCapabilities.AgentCapabilities_AcceptsPackages_VALUE)) {
      return Optional.empty();
    }
    return packages.due(agent.uid(), agent.snapshot().packageStatuses());
  }

  /**
   * Adds a hosted package to the agent's set and sends the set now when it is connected.
   *
   * @return false when the agent does not accept packages
   */
  public boolean offerPackage(Agent agent, HostedPackage hosted) {
    if (!agent.can(AgentCapabilities.AgentCapabilities_AcceptsPackages_VALUE)) {
      return false;
    }
    packages.offer(agent.uid(), hosted);
    sendPackages(agent);
    return true;
  }

  /** Sends the agent its package set now, when it is connected here and lacks it. */
  public void sendPackages(Agent agent) {
    AgentConnection connection = agent.connection();
    if (connection != null) {
      packagesDue(agent).ifPresent(available ->
          connection.send(message(agent).setPackagesAvailable(available).build()));
    }
  }

  /** Where to send its own metrics, when it reports them and was not told on this connection; marks it sent. */
  Optional<ConnectionSettingsOffers> ownTelemetryDue(Agent agent) {
    return ownTelemetry.due(agent);
  }

  /**
   * Offers marked sent go again with the agent's next answer: on a new connection (those on an old
   * one may not have arrived), after a gap in its messages, or when an answer that carried them was
   * replaced by an error.
   */
  void resendOffers(Agent agent) {
    packages.connected(agent.uid());
    ownTelemetry.connected(agent);
  }

  /** Whether the agent says it takes restart commands. */
  public static boolean takesRestarts(Agent agent) {
    return agent.can(AgentCapabilities.AgentCapabilities_AcceptsRestartCommand_VALUE);
  }

  /** Whether the agent says it takes new connection settings, and with them new certificates. */
  public static boolean takesConnectionSettings(Agent agent) {
    return agent.can(AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings_VALUE);
  }

  /** @return false when the agent is not connected or does not take restart commands */
  public boolean restart(Agent agent) {
    AgentConnection connection = agent.connection();
    if (connection == null || !takesRestarts(agent)) {
      return false;
    }
    connection.send(message(agent)
        .setCommand(ServerToAgentCommand.newBuilder().setType(CommandType.CommandType_Restart)).build());
    return true;
  }

  /**
   * Offers the agent a new key and client certificate; it reconnects with them and from then on
   * its old certificate is refused.
   *
   * @return false when the agent is not connected or does not accept connection settings
   */
  public boolean rotateCertificate(Agent agent) {
    AgentConnection connection = agent.connection();
    if (signer.isEmpty()) {
      throw new IllegalStateException("no signing CA is configured");
    }
    if (connection == null || !takesConnectionSettings(agent)) {
      return false;
    }
    CertificateSigner.Issued issued = signer.get().issue(agent.uid());
    agent.expectCertificate(issued.sha256());
    connection.send(message(agent).setConnectionSettings(issued.offer()).build());
    return true;
  }

  private AgentRemoteConfig remoteConfig(ConfigVersion version) {
    return remoteConfigs.computeIfAbsent(version.label(), label -> AgentRemoteConfig.newBuilder()
        .setConfig(AgentConfigMap.newBuilder().putConfigMap("", AgentConfigFile.newBuilder()
            .setBody(ByteString.copyFrom(version.body(), StandardCharsets.UTF_8))
            .setContentType("text/yaml")
            .build()))
        .setConfigHash(ByteString.copyFrom(version.hashBytes()))
        .build());
  }

  private ServerToAgent.Builder message(Agent agent) {
    return ServerToAgent.newBuilder().setInstanceUid(InstanceUid.bytes(agent.uid())).setCapabilities(capabilities);
  }
}

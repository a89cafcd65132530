package io.opampfleet.supervisor.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.proto.AgentCapabilities;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * supervisor.yaml, the OpenTelemetry Go supervisor's format, key for key, with its defaults.
 * Sections the supervisor hands on to the collector as they are (its own telemetry's processors
 * and readers, extensions, the health endpoint's TLS) stay as YAML trees.
 */
public record SupervisorConfig(
    Server server, Capabilities capabilities, Storage storage, Agent agent, Telemetry telemetry,
    Healthcheck healthcheck, JsonNode extensions) {

  public record Server(URI endpoint, Map<String, List<String>> headers, Tls tls, String auth) {
    public boolean isWebSocket() {
      return endpoint.getScheme().startsWith("ws");
    }
  }

  /** The collector's client TLS settings ({@code configtls.ClientConfig}). */
  public record Tls(
      boolean insecure, boolean insecureSkipVerify, String caFile, String caPem, String certFile, String certPem,
      String keyFile, String keyPem, String minVersion, String maxVersion, String serverNameOverride,
      Duration reloadInterval, boolean includeSystemCaCertsPool, Duration rotateBefore) {}

  public record Capabilities(
      boolean acceptsRemoteConfig, boolean acceptsRestartCommand, boolean acceptsOpampConnectionSettings,
      boolean reportsEffectiveConfig, boolean reportsOwnMetrics, boolean reportsOwnLogs, boolean reportsOwnTraces,
      boolean reportsHealth, boolean reportsAvailableComponents, boolean reportsHeartbeat, boolean acceptsPackages) {

    /** The AgentCapabilities bits these settings advertise; ReportsStatus always. */
    public long bits() {
      long bits = AgentCapabilities.AgentCapabilities_ReportsStatus_VALUE;
      if (acceptsRemoteConfig) {
        bits |= AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig_VALUE
            | AgentCapabilities.AgentCapabilities_ReportsRemoteConfig_VALUE;
      }
      bits |= bit(acceptsRestartCommand, AgentCapabilities.AgentCapabilities_AcceptsRestartCommand_VALUE);
      bits |= bit(acceptsOpampConnectionSettings, AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings_VALUE);
      bits |= bit(reportsEffectiveConfig, AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig_VALUE);
      bits |= bit(reportsOwnMetrics, AgentCapabilities.AgentCapabilities_ReportsOwnMetrics_VALUE);
      bits |= bit(reportsOwnLogs, AgentCapabilities.AgentCapabilities_ReportsOwnLogs_VALUE);
      bits |= bit(reportsOwnTraces, AgentCapabilities.AgentCapabilities_ReportsOwnTraces_VALUE);
      bits |= bit(reportsHealth, AgentCapabilities.AgentCapabilities_ReportsHealth_VALUE);
      bits |= bit(reportsAvailableComponents, AgentCapabilities.AgentCapabilities_ReportsAvailableComponents_VALUE);
      bits |= bit(reportsHeartbeat, AgentCapabilities.AgentCapabilities_ReportsHeartbeat_VALUE);
      if (acceptsPackages) {
        bits |= AgentCapabilities.AgentCapabilities_AcceptsPackages_VALUE
            | AgentCapabilities.AgentCapabilities_ReportsPackageStatuses_VALUE;
      }
      return bits;
    }

    private static long bit(boolean on, int value) {
      return on ? value : 0;
    }
  }

  public record Storage(Path directory) {}

  public record Agent(
      Path executable, List<String> args, Map<String, String> env, List<String> configFiles, Description description,
      Duration orphanDetectionInterval, Duration bootstrapTimeout, Duration configApplyTimeout, int opampServerPort,
      OpampServerSocket opampServerSocket, boolean passthroughLogs, int collectorCrashLogSnippetKib,
      boolean useHupConfigReload, boolean validateConfig, boolean automaticConfigRollback,
      List<Path> startupFallbackConfigs, UUID instanceId, Package agentPackage) {}

  public record Description(
      Map<String, String> identifyingAttributes, Map<String, String> nonIdentifyingAttributes,
      boolean includeResourceAttributes) {}

  /** The local OpAMP server on a Unix socket instead of a loopback port; null when not set. */
  public record OpampServerSocket(String transport, Path endpoint, int mode) {}

  /** agent::package; {@code publicKeyFile} is null unless the verifier type is {@code signature}. */
  public record Package(String agentBinary, String archive, String verifierType, JsonNode cosign, Path publicKeyFile) {}

  public record Telemetry(
      String logLevel, List<String> logOutputPaths, List<String> logErrorOutputPaths, String logEncoding,
      JsonNode logProcessors, String metricsLevel, JsonNode metricReaders, JsonNode traces, JsonNode resource) {}

  /** The supervisor's own /health endpoint; none when the endpoint is empty or its port is 0. */
  public record Healthcheck(String endpoint, JsonNode settings) {
    public boolean enabled() {
      return !endpoint.isBlank() && !endpoint.endsWith(":0");
    }
  }
}

package io.opampfleet.server.internal.api;

import io.opampfleet.api.Agent;
import io.opampfleet.api.AgentSummary;
import io.opampfleet.api.AgentTelemetrySummary;
import io.opampfleet.proto.AgentCapabilities;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.proto.PackageStatus;
import io.opampfleet.server.internal.inventory.AgentSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Agents written for the API: a short row for lists, the whole picture for one agent. */
final class AgentJson {
  private AgentJson() {}

  /** {@code telemetry}: the agent's latest own figures, or null. */
  static AgentSummary row(AgentSnapshot agent, AgentTelemetrySummary telemetry) {
    return new AgentSummary(agent.uid(), new TreeMap<>(agent.labels()), agent.connected(), replica(agent),
        agent.connectedSince(), agent.lastSeen(), agent.healthy(), status(agent), desiredConfig(agent),
        agent.desiresLocal(), runsDesiredConfig(agent), agent.drift().orElse(null), pollInterval(agent), telemetry);
  }

  /** The agent's row and everything it reported. */
  static Agent detail(AgentSnapshot agent, AgentTelemetrySummary telemetry) {
    List<Agent.PackageState> packages = new ArrayList<>();
    if (agent.packageStatuses() != null) {
      for (PackageStatus status : agent.packageStatuses().getPackagesMap().values()) {
        packages.add(new Agent.PackageState(status.getName(), status.getAgentHasVersion(),
            status.getServerOfferedVersion(), status.getStatus().name().replace("PackageStatusEnum_", ""),
            status.getErrorMessage()));
      }
    }
    // The list's row first, taken from the row itself so that both always say the same.
    AgentSummary row = row(agent, telemetry);
    return new Agent(row.uid(), row.labels(), row.connected(), row.replica(), row.connectedSince(), row.lastSeen(),
        row.healthy(), row.remoteConfigStatus(), row.desiredConfig(), row.desiresLocalConfig(),
        row.runsDesiredConfig(), row.drift(), row.pollIntervalMillis(), row.telemetry(),
        attributes(agent.description().getIdentifyingAttributesList()),
        attributes(agent.description().getNonIdentifyingAttributesList()),
        capabilities(agent.capabilities()),
        agent.health() == null ? null : health(agent.health()),
        agent.effectiveConfig() == null ? null : files(agent.effectiveConfig().getConfigMap().getConfigMapMap()),
        new Agent.RemoteConfig(status(agent), hash(agent),
            agent.remoteConfigStatus() == null ? "" : agent.remoteConfigStatus().getErrorMessage()),
        packages,
        agent.availableComponents() == null ? null
            : List.copyOf(agent.availableComponents().getComponentsMap().keySet()),
        agent.remoteAddress(),
        agent.certificateSha256().isEmpty() ? null
            : new Agent.Certificate(agent.certificateSubject(), agent.certificateSha256()));
  }

  /** The config the agent should run, as name@version; null when none. */
  static String desiredConfig(AgentSnapshot agent) {
    return agent.desired() == null ? null : agent.desired().label();
  }

  private static String replica(AgentSnapshot agent) {
    return agent.connected() && !agent.heldBy().isEmpty() ? agent.heldBy() : null;
  }

  private static boolean runsDesiredConfig(AgentSnapshot agent) {
    return agent.desired() != null && agent.remoteConfigStatus() != null
        && hash(agent).equals(agent.desired().sha256()) && status(agent).equals("APPLIED");
  }

  private static Long pollInterval(AgentSnapshot agent) {
    return agent.pollMillis() == 0 ? null : agent.pollMillis();
  }

  static String status(AgentSnapshot agent) {
    return agent.remoteConfigStatus() == null ? "UNSET"
        : agent.remoteConfigStatus().getStatus().name().replace("RemoteConfigStatuses_", "");
  }

  private static String hash(AgentSnapshot agent) {
    return agent.remoteConfigStatus() == null ? ""
        : HexFormat.of().formatHex(agent.remoteConfigStatus().getLastRemoteConfigHash().toByteArray());
  }

  private static Map<String, String> attributes(List<KeyValue> attributes) {
    Map<String, String> map = new TreeMap<>();
    for (KeyValue attribute : attributes) {
      map.put(attribute.getKey(), attribute.getValue().hasStringValue() ? attribute.getValue().getStringValue()
          : attribute.getValue().toString().trim());
    }
    return map;
  }

  private static List<String> capabilities(long bits) {
    List<String> names = new ArrayList<>();
    for (AgentCapabilities capability : AgentCapabilities.values()) {
      if (capability != AgentCapabilities.UNRECOGNIZED && capability.getNumber() != 0
          && (bits & capability.getNumber()) != 0) {
        names.add(capability.name().replace("AgentCapabilities_", ""));
      }
    }
    return names;
  }

  private static io.opampfleet.api.ComponentHealth health(ComponentHealth health) {
    Map<String, io.opampfleet.api.ComponentHealth> components = new TreeMap<>();
    health.getComponentHealthMapMap().forEach((name, child) -> components.put(name, health(child)));
    return new io.opampfleet.api.ComponentHealth(health.getHealthy(), health.getStatus(), health.getLastError(),
        health.getStartTimeUnixNano(), health.getStatusTimeUnixNano(), components);
  }

  private static Map<String, String> files(Map<String, AgentConfigFile> files) {
    Map<String, String> map = new TreeMap<>();
    files.forEach((name, file) -> map.put(name, file.getBody().toString(StandardCharsets.UTF_8)));
    return map;
  }
}

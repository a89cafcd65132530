package io.opampfleet.server.internal.api;

import io.opampfleet.proto.AgentCapabilities;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.proto.PackageStatus;
import io.opampfleet.server.internal.inventory.AgentSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Agents written for the API: a short row for lists, the whole picture for one agent. */
final class AgentJson {
  private AgentJson() {}

  static Map<String, Object> row(AgentSnapshot agent) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("uid", agent.uid());
    row.put("labels", new TreeMap<>(agent.labels()));
    row.put("connected", agent.connected());
    row.put("replica", agent.connected() && !agent.heldBy().isEmpty() ? agent.heldBy() : null);
    row.put("connectedSince", agent.connectedSince());
    row.put("lastSeen", agent.lastSeen());
    row.put("healthy", agent.healthy());
    row.put("remoteConfigStatus", status(agent));
    row.put("desiredConfig", agent.desired() == null ? null : agent.desired().label());
    row.put("desiresLocalConfig", agent.desiresLocal());
    row.put("runsDesiredConfig", agent.desired() != null && agent.remoteConfigStatus() != null
        && hash(agent).equals(agent.desired().sha256()) && status(agent).equals("APPLIED"));
    row.put("drift", agent.drift().orElse(null));
    row.put("pollIntervalMillis", agent.pollMillis() == 0 ? null : agent.pollMillis());
    return row;
  }

  static Map<String, Object> detail(AgentSnapshot agent) {
    Map<String, Object> detail = row(agent);
    detail.put("identifyingAttributes", attributes(agent.description().getIdentifyingAttributesList()));
    detail.put("nonIdentifyingAttributes", attributes(agent.description().getNonIdentifyingAttributesList()));
    detail.put("capabilities", capabilities(agent.capabilities()));
    detail.put("health", agent.health() == null ? null : health(agent.health()));
    detail.put("effectiveConfig", agent.effectiveConfig() == null ? null
        : files(agent.effectiveConfig().getConfigMap().getConfigMapMap()));
    Map<String, Object> remote = new LinkedHashMap<>();
    remote.put("status", status(agent));
    remote.put("hash", hash(agent));
    remote.put("errorMessage", agent.remoteConfigStatus() == null ? "" : agent.remoteConfigStatus().getErrorMessage());
    detail.put("remoteConfig", remote);
    List<Map<String, Object>> packages = new ArrayList<>();
    if (agent.packageStatuses() != null) {
      for (PackageStatus status : agent.packageStatuses().getPackagesMap().values()) {
        packages.add(Map.of("name", status.getName(), "agentHasVersion", status.getAgentHasVersion(),
            "serverOfferedVersion", status.getServerOfferedVersion(), "status", status.getStatus().name()
                .replace("PackageStatusEnum_", ""), "errorMessage", status.getErrorMessage()));
      }
    }
    detail.put("packages", packages);
    detail.put("availableComponents", agent.availableComponents() == null ? null
        : agent.availableComponents().getComponentsMap().keySet());
    detail.put("remoteAddress", agent.remoteAddress());
    detail.put("certificate", agent.certificateSha256().isEmpty() ? null
        : Map.of("subject", agent.certificateSubject(), "sha256", agent.certificateSha256()));
    return detail;
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

  private static Map<String, Object> health(ComponentHealth health) {
    Map<String, Object> node = new LinkedHashMap<>();
    node.put("healthy", health.getHealthy());
    node.put("status", health.getStatus());
    node.put("lastError", health.getLastError());
    node.put("startTimeUnixNano", health.getStartTimeUnixNano());
    node.put("statusTimeUnixNano", health.getStatusTimeUnixNano());
    Map<String, Object> components = new TreeMap<>();
    health.getComponentHealthMapMap().forEach((name, child) -> components.put(name, health(child)));
    node.put("components", components);
    return node;
  }

  private static Map<String, String> files(Map<String, AgentConfigFile> files) {
    Map<String, String> map = new TreeMap<>();
    files.forEach((name, file) -> map.put(name, file.getBody().toString(StandardCharsets.UTF_8)));
    return map;
  }
}

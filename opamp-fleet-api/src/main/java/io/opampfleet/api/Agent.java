package io.opampfleet.api;

import java.util.List;
import java.util.Map;

/**
 * One agent in full: its row of the fleet's list and what it reported. {@code health},
 * {@code effectiveConfig}, {@code availableComponents} and {@code certificate} are null when not
 * reported or not bound.
 */
public record Agent(String uid, Map<String, String> labels, boolean connected, String replica, long connectedSince,
    long lastSeen, boolean healthy, String remoteConfigStatus, String desiredConfig, boolean desiresLocalConfig,
    boolean runsDesiredConfig, String drift, Long pollIntervalMillis, AgentTelemetrySummary telemetry,
    Map<String, String> identifyingAttributes, Map<String, String> nonIdentifyingAttributes,
    List<String> capabilities, ComponentHealth health, Map<String, String> effectiveConfig,
    RemoteConfig remoteConfig, List<PackageState> packages, List<String> availableComponents,
    String remoteAddress, Certificate certificate) {

  /** What the agent last said of the config it was sent. */
  public record RemoteConfig(String status, String hash, String errorMessage) {}

  /** A package as the agent has it and as the server offered it. */
  public record PackageState(String name, String agentHasVersion, String serverOfferedVersion, String status,
      String errorMessage) {}

  /** The client certificate the agent is bound to. */
  public record Certificate(String subject, String sha256) {}
}

package io.opampfleet.client;

import java.util.List;
import java.util.Map;

/** One agent in full, as the server knows it; times are epoch milliseconds. */
public record Agent(String uid, Map<String, String> labels, boolean connected, String replica, long connectedSince,
    long lastSeen, boolean healthy, String remoteConfigStatus, String desiredConfig, boolean runsDesiredConfig,
    String drift, Map<String, String> identifyingAttributes, Map<String, String> nonIdentifyingAttributes,
    List<String> capabilities, RemoteConfig remoteConfig, Health health, String remoteAddress,
    Certificate certificate) {

  /** What the agent last said of the config it was sent. */
  public record RemoteConfig(String status, String hash, String errorMessage) {}

  /** The collector's own account of its health. */
  public record Health(boolean healthy, String status, String lastError) {}

  /** The client certificate the agent is bound to. */
  public record Certificate(String subject, String sha256) {}
}

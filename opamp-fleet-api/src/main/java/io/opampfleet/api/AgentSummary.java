package io.opampfleet.api;

import java.util.Map;

/**
 * An agent as the fleet's list shows it. Times are epoch milliseconds; {@code replica} (when not
 * connected), {@code desiredConfig}, {@code drift}, {@code pollIntervalMillis} and {@code telemetry}
 * are null when there is none.
 */
public record AgentSummary(String uid, Map<String, String> labels, boolean connected, String replica,
    long connectedSince, long lastSeen, boolean healthy, String remoteConfigStatus, String desiredConfig,
    boolean desiresLocalConfig, boolean runsDesiredConfig, String drift, Long pollIntervalMillis,
    AgentTelemetrySummary telemetry) {}

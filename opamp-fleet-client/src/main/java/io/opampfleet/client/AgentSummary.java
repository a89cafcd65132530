package io.opampfleet.client;

import java.util.Map;

/** An agent as the fleet's list shows it; times are epoch milliseconds. */
public record AgentSummary(String uid, Map<String, String> labels, boolean connected, String replica,
    long connectedSince, long lastSeen, boolean healthy, String remoteConfigStatus, String desiredConfig,
    boolean runsDesiredConfig, String drift) {}

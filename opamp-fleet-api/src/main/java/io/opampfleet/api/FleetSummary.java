package io.opampfleet.api;

import java.util.Map;

/** The fleet counted by state, as the top of the fleet page shows it. */
public record FleetSummary(int agents, int connected, int healthy, int drifted, Map<String, Integer> remoteConfigStatus,
    int reportingOwnMetrics, int droppingData, int queueFilling) {}

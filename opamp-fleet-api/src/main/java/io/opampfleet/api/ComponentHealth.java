package io.opampfleet.api;

import java.util.Map;

/** The collector's own account of its health, and of each of its components by name. */
public record ComponentHealth(boolean healthy, String status, String lastError, long startTimeUnixNano,
    long statusTimeUnixNano, Map<String, ComponentHealth> components) {}

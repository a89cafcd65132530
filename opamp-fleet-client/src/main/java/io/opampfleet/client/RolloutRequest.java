package io.opampfleet.client;

/**
 * A config rollout to start: the agents a selector matches, in waves ({@code "10%,100%"}), each baked
 * for a while ({@code "30s"}) before the next, stopped and rolled back past the failure budget
 * ({@code "2"} or {@code "10%"}). Null fields take the server's defaults.
 */
public record RolloutRequest(String selector, String config, int version, String waves, String bake,
    String failureBudget, String applyTimeout) {}

package io.opampfleet.client;

/** A rollout as the list shows it; a config rollout has a config, a package rollout a package name. */
public record Rollout(long id, String state, String reason, String selector, String config, int version,
    String packageName, String packageVersion, String waves, int currentWave, int agents, String createdBy,
    long createdAt, long endedAt) {}

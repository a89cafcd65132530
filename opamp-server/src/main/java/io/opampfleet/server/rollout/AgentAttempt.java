package io.opampfleet.server.rollout;

/**
 * One agent's part in one rollout, as its history shows it.
 *
 * @param offered the version the rollout offered, {@code name@version}
 * @param wave numbered from 1; 0 for an agent that was offline and pending
 * @param wentBackTo what it returned to when the rollout rolled back: a version, or its local config
 */
public record AgentAttempt(long rollout, String offered, int wave, AgentProgress result, String reason, long since,
    String wentBackTo) {}

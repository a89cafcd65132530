package io.opampfleet.server.internal.rollout;

/**
 * One agent's part in one rollout, as its history shows it.
 *
 * @param offered what the rollout offered, {@code name@version}: a config version, a package version, or
 *     both joined by "with"
 * @param wave numbered from 1; 0 for an agent that was offline and pending
 * @param wentBackTo what it returned to when the rollout rolled back: a version, or its local config (and
 *     the package version)
 */
public record AgentAttempt(long rollout, String offered, int wave, AgentProgress result, String reason, long since,
    String wentBackTo) {}

package io.opampfleet.api;

/**
 * One agent's part in one rollout: what it was offered ({@code name@version} of a config, a package,
 * or both joined by "with"), its wave (from 1; 0 for an agent that was offline and pending), how it
 * went, since when (epoch milliseconds), and what it went back to when the rollout rolled back.
 */
public record AgentAttempt(long rollout, String offered, int wave, String result, String reason, long since,
    String wentBackTo) {}

package io.opampfleet.api;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A rollout. A config rollout has a config, a package rollout a package name (the other is null).
 * Waves are numbered from 1; times are epoch milliseconds ({@code endedAt} 0 while it runs); counts
 * are its agents by progress (PENDING, WAITING, APPLYING, BAKING, DONE, FAILED, ROLLING_BACK,
 * ROLLED_BACK, ROLLBACK_FAILED).
 */
public record Rollout(long id, String state, String reason, String selector, String config, int version,
    String packageName, String packageVersion, String waves, long bakeMillis, String budget,
    long applyTimeoutMillis, long offlineDeadlineMillis, int currentWave, int agents, Map<String, Integer> counts,
    List<Wave> waveProgress, List<Failure> failing, String createdBy, long createdAt, long endedAt) {
  private static final Set<String> ENDED = Set.of("SUCCEEDED", "FAILED", "ROLLED_BACK", "ABORTED");

  /** One wave; {@code selector} is its stage's, null for a wave by share or count. */
  public record Wave(int number, int size, Map<String, Integer> counts, String selector, long bakeMillis) {}

  /** An agent that failed (the first hundred), with the wave it was in and why. */
  public record Failure(String uid, int wave, String progress, String message) {}

  /** Whether it has come to an end, well or not. */
  public boolean ended() {
    return ENDED.contains(state);
  }
}

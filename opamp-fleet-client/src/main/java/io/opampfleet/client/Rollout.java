package io.opampfleet.client;

import java.util.Map;
import java.util.Set;

/**
 * A rollout; a config rollout has a config, a package rollout a package name. Times are epoch
 * milliseconds; counts are its agents by progress (PENDING, APPLYING, DONE, FAILED ...).
 */
public record Rollout(long id, String state, String reason, String selector, String config, int version,
    String packageName, String packageVersion, String waves, int currentWave, int agents, Map<String, Integer> counts,
    String createdBy, long createdAt, long endedAt) {
  private static final Set<String> ENDED = Set.of("SUCCEEDED", "FAILED", "ROLLED_BACK", "ABORTED");

  /** Whether it has come to an end, well or not. */
  public boolean ended() {
    return ENDED.contains(state);
  }
}

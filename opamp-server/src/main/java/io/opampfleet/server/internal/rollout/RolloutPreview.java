package io.opampfleet.server.internal.rollout;

import java.util.List;

/**
 * What starting a rollout would do now: how many agents each wave takes, how many wait pending, and
 * what it leaves out and why (its reason); or, in {@code refused}, why it would be refused.
 */
public record RolloutPreview(String refused, int agents, List<Integer> waves, int pending, String reason) {
  static RolloutPreview of(Rollout rollout) {
    return new RolloutPreview(null, rollout.agents.size() - rollout.pending.size(),
        rollout.waves.stream().map(List::size).toList(), rollout.pending.size(), rollout.reason);
  }

  static RolloutPreview refused(String why) {
    return new RolloutPreview(why, 0, List.of(), 0, null);
  }
}

package io.opampfleet.server.internal.rollout;

import io.opampfleet.server.internal.selector.LabelSelector;
import java.time.Duration;
import java.util.List;

/**
 * What a rollout does: a config version, a package version, or both, for the agents the selector
 * matches, in waves, each wave gated on its agents applying it and staying healthy for its bake
 * time, within the failure budget. Waves are shares or counts of the agents ({@code waves}, each
 * baked for {@code bake}), or, when {@code stages} are given, one per stage, by selector, each with
 * its own bake time.
 *
 * @param configName null for a rollout of a package alone
 * @param pkg null for a rollout of a config alone
 * @param offlineDeadline zero: agents offline at the start wait, pending, in no wave; otherwise they
 *     are in the waves, and one still offline this long after its wave started counts as failed
 */
public record RolloutPlan(
    LabelSelector selector, String configName, int version, WavePlan waves, Duration bake, FailureBudget budget,
    Duration applyTimeout, List<Stage> stages, PackageTarget pkg, Duration offlineDeadline) {

  /** A rollout of a config alone, offline agents pending. */
  public RolloutPlan(LabelSelector selector, String configName, int version, WavePlan waves, Duration bake,
      FailureBudget budget, Duration applyTimeout, List<Stage> stages) {
    this(selector, configName, version, waves, bake, budget, applyTimeout, stages, null, Duration.ZERO);
  }

  /** Whether agents offline at the start are in the waves, waited for up to the offline deadline. */
  public boolean includesOffline() {
    return !offlineDeadline.isZero();
  }

  public RolloutPlan {
    if (configName == null && pkg == null) {
      throw new IllegalArgumentException("a rollout carries a config version, a package version, or both");
    }
    stages = List.copyOf(stages);
    if (stages.size() > Stage.MAX) {
      throw new IllegalArgumentException("a rollout has at most " + Stage.MAX + " stages, not " + stages.size());
    }
    int text = Stage.toText(stages).length();
    if (text > Stage.MAX_TEXT) {
      throw new IllegalArgumentException(String.format("a rollout's stages take at most %,d characters together"
          + " (their selectors and bake times), not %,d", Stage.MAX_TEXT, text));
    }
  }

  /** How long the agents of this wave (from 0) must stay healthy once they applied the version. */
  public Duration bakeOf(int wave) {
    return stages.isEmpty() || wave < 0 || wave >= stages.size() ? bake : stages.get(wave).bake();
  }

  /** The stage an agent with these labels belongs to, from 0; -1 for none. */
  int stageOf(java.util.Map<String, String> labels) {
    for (int i = 0; i < stages.size(); i++) {
      if (stages.get(i).selector().matches(labels)) {
        return i;
      }
    }
    return -1;
  }
}

package io.opampfleet.server.internal.api;

import io.opampfleet.api.Rollout;
import io.opampfleet.server.internal.rollout.AgentAttempt;
import io.opampfleet.server.internal.rollout.AgentProgress;
import io.opampfleet.server.internal.rollout.RolloutPreview;
import io.opampfleet.server.internal.rollout.RolloutView;
import java.util.LinkedHashMap;
import java.util.Map;

/** Rollouts, their previews and agents' attempts written for the API. */
final class RolloutJson {
  private RolloutJson() {}

  static Rollout of(RolloutView view) {
    return new Rollout(view.id(), view.state().name(), view.reason(), view.selector(), view.config(), view.version(),
        view.packageName(), view.packageVersion(), view.waves(), view.bakeMillis(), view.budget(),
        view.applyTimeoutMillis(), view.offlineDeadlineMillis(), view.currentWave(), view.agents(),
        counts(view.counts()),
        view.waveProgress().stream().map(wave -> new Rollout.Wave(wave.number(), wave.size(), counts(wave.counts()),
            wave.selector(), wave.bakeMillis())).toList(),
        view.failing().stream().map(failure -> new Rollout.Failure(failure.uid(), failure.wave(),
            failure.progress().name(), failure.message())).toList(),
        view.createdBy(), view.createdAt(), view.endedAt());
  }

  static io.opampfleet.api.RolloutPreview of(RolloutPreview preview) {
    return new io.opampfleet.api.RolloutPreview(preview.refused(), preview.agents(), preview.waves(),
        preview.pending(), preview.reason());
  }

  static io.opampfleet.api.AgentAttempt of(AgentAttempt attempt) {
    return new io.opampfleet.api.AgentAttempt(attempt.rollout(), attempt.offered(), attempt.wave(),
        attempt.result().name(), attempt.reason(), attempt.since(), attempt.wentBackTo());
  }

  private static Map<String, Integer> counts(Map<AgentProgress, Integer> counts) {
    Map<String, Integer> byName = new LinkedHashMap<>();
    counts.forEach((progress, count) -> byName.put(progress.name(), count));
    return byName;
  }
}

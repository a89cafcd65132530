package io.opampfleet.server.internal.rollout;

import java.util.List;
import java.util.Map;

/**
 * A rollout as the API and the live stream show it. Waves are numbered from 1; times are epoch ms.
 * {@code config} is null for a rollout of a package alone, {@code packageName} for one of a config alone.
 */
public record RolloutView(
    long id, RolloutState state, String reason, String selector, String config, int version, String packageName,
    String packageVersion, String waves,
    long bakeMillis, String budget, long applyTimeoutMillis, long offlineDeadlineMillis, int currentWave, int agents,
    Map<AgentProgress, Integer> counts, List<Wave> waveProgress, List<Failure> failing, String createdBy,
    long createdAt, long endedAt) {

  /** One wave; {@code selector} is its stage's, null for a wave by share or count. */
  public record Wave(int number, int size, Map<AgentProgress, Integer> counts, String selector, long bakeMillis) {}

  public record Failure(String uid, int wave, AgentProgress progress, String message) {}
}

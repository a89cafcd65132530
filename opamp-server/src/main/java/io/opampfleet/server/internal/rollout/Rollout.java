package io.opampfleet.server.internal.rollout;

import io.opampfleet.server.internal.configs.ConfigVersion;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A rollout's state and its agents by wave (wave -1: pending). Changed only on the rollout engine's thread. */
final class Rollout {
  final long id;
  final RolloutPlan plan;
  /** The config version it rolls out; null when it carries a package alone. */
  final ConfigVersion target;
  final String createdBy;
  final long createdAt;
  RolloutState state;
  String reason;
  int currentWave;
  long endedAt;
  final Map<String, RolloutAgent> agents = new LinkedHashMap<>();
  final List<List<RolloutAgent>> waves = new ArrayList<>();
  /** Matched but offline at the start: in no wave. */
  final List<RolloutAgent> pending = new ArrayList<>();

  Rollout(long id, RolloutPlan plan, ConfigVersion target, String createdBy, long createdAt, RolloutState state,
      String reason, int currentWave, long endedAt) {
    this.id = id;
    this.plan = plan;
    this.target = target;
    this.createdBy = createdBy;
    this.createdAt = createdAt;
    this.state = state;
    this.reason = reason;
    this.currentWave = currentWave;
    this.endedAt = endedAt;
  }

  /**
   * An agent a new rollout may take: its uid, the labels stages select it by, and the package
   * version it would go back to (null when the rollout carries no package).
   */
  record Candidate(String uid, Map<String, String> labels, String previousPackage) {
    Candidate(String uid, Map<String, String> labels) {
      this(uid, labels, null);
    }
  }

  /** What the rollout installs: its config version, its package version, or both. */
  String label() {
    if (plan.pkg() == null) {
      return target.label();
    }
    String pkg = "package " + plan.pkg().label();
    return target == null ? pkg : target.label() + " with " + pkg;
  }

  /**
   * A new rollout: the connected agents in waves by the plan (shares and counts, or one wave per
   * stage, an agent in the first stage that selects it), those offline pending, or in the waves too
   * when the plan includes them.
   */
  static Rollout create(long id, RolloutPlan plan, ConfigVersion target, String createdBy, long now, String reason,
      List<Candidate> connected, List<Candidate> offline) {
    Rollout rollout = new Rollout(id, plan, target, createdBy, now, RolloutState.PENDING, reason, 0, 0);
    if (plan.includesOffline()) {
      connected = java.util.stream.Stream.concat(connected.stream(), offline.stream())
          .sorted(java.util.Comparator.comparing(Candidate::uid)).toList();
      offline = List.of();
    }
    if (plan.stages().isEmpty()) {
      List<Integer> sizes = plan.waves().sizes(connected.size());
      int next = 0;
      for (int wave = 0; wave < sizes.size(); wave++) {
        for (int i = 0; i < sizes.get(wave); i++) {
          Candidate agent = connected.get(next++);
          rollout.add(new RolloutAgent(agent.uid(), wave, AgentProgress.WAITING, null, agent.previousPackage(), now,
              null));
        }
      }
    } else {
      plan.stages().forEach(stage -> rollout.waves.add(new ArrayList<>()));
      connected.forEach(agent -> rollout.add(new RolloutAgent(agent.uid(), plan.stageOf(agent.labels()),
          AgentProgress.WAITING, null, agent.previousPackage(), now, null)));
    }
    offline.forEach(agent -> rollout.add(new RolloutAgent(agent.uid(), -1, AgentProgress.PENDING, null,
        agent.previousPackage(), now, "offline when the rollout started")));
    return rollout;
  }

  void add(RolloutAgent agent) {
    agents.put(agent.uid, agent);
    if (agent.wave < 0) {
      pending.add(agent);
      return;
    }
    while (waves.size() <= agent.wave) {
      waves.add(new ArrayList<>());
    }
    waves.get(agent.wave).add(agent);
  }

  List<RolloutAgent> wave(int index) {
    return index < waves.size() ? waves.get(index) : List.of();
  }

  RolloutView view(int failingLimit) {
    Map<AgentProgress, Integer> counts = count(agents.values());
    List<RolloutView.Wave> waveViews = new ArrayList<>();
    for (int i = 0; i < waves.size(); i++) {
      waveViews.add(new RolloutView.Wave(i + 1, waves.get(i).size(), count(waves.get(i)),
          i < plan.stages().size() ? plan.stages().get(i).selector().toString() : null, plan.bakeOf(i).toMillis()));
    }
    List<RolloutView.Failure> failing = new ArrayList<>();
    for (RolloutAgent agent : agents.values()) {
      if (failed(agent) && failing.size() < failingLimit && agent.wave >= 0) {
        failing.add(new RolloutView.Failure(agent.uid, agent.wave + 1, agent.progress, agent.message));
      }
    }
    return new RolloutView(id, state, reason, plan.selector().toString(), target == null ? null : target.name(),
        target == null ? 0 : target.version(), plan.pkg() == null ? null : plan.pkg().name(),
        plan.pkg() == null ? null : plan.pkg().version(),
        plan.waves().toString(), plan.bake().toMillis(), plan.budget().toString(), plan.applyTimeout().toMillis(),
        plan.offlineDeadline().toMillis(),
        currentWave + 1, agents.size(), counts, waveViews, failing, createdBy, createdAt, endedAt);
  }

  private static Map<AgentProgress, Integer> count(Iterable<RolloutAgent> agents) {
    Map<AgentProgress, Integer> counts = new EnumMap<>(AgentProgress.class);
    for (AgentProgress progress : AgentProgress.values()) {
      counts.put(progress, 0);
    }
    for (RolloutAgent agent : agents) {
      counts.merge(agent.progress, 1, Integer::sum);
    }
    return counts;
  }

  /** Failed, or failed and then sent back its previous config: the operator still needs to know why. */
  private static boolean failed(RolloutAgent agent) {
    return switch (agent.progress) {
      case FAILED, ROLLBACK_FAILED -> true;
      case ROLLING_BACK, ROLLED_BACK -> agent.message != null && !agent.message.isEmpty();
      default -> false;
    };
  }
}

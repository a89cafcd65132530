package io.opampfleet.server.internal.rollout;

import io.opampfleet.proto.AgentCapabilities;
import io.opampfleet.proto.PackageStatus;
import io.opampfleet.server.internal.configs.ComponentCheck;
import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.AgentSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * Which of the agents a new rollout's selector matches it takes: connected ones for its waves,
 * offline ones pending; those it leaves out (they cannot take the change, lack components the config
 * names, are in no stage, or have no hosted package version to go back to) are counted in its notes.
 */
final class RolloutSelection {
  final List<Rollout.Candidate> connected = new ArrayList<>();
  final List<Rollout.Candidate> offline = new ArrayList<>();
  final List<String> notes = new ArrayList<>();
  private final List<String> incompatible = new ArrayList<>();
  private final List<String> noWayBack = new ArrayList<>();
  private int cannotTake;
  private int outsideStages;

  /**
   * @param offered the version of a package the server offers an agent, by uid and package name
   * @param hosted whether the server hosts this version of the package
   * @param from the version agents run that report none the server hosts; null when not given
   */
  static RolloutSelection of(RolloutPlan plan, ConfigVersion target, List<Agent> matched,
      Function<Agent, Optional<String>> offered, BiPredicate<String, String> hosted, String from) {
    RolloutSelection selection = new RolloutSelection();
    for (Agent agent : matched.stream().sorted(Comparator.comparing(Agent::uid)).toList()) {
      selection.consider(plan, target, agent, offered, hosted, from);
    }
    selection.note(plan);
    return selection;
  }

  private void consider(RolloutPlan plan, ConfigVersion target, Agent agent,
      Function<Agent, Optional<String>> offered, BiPredicate<String, String> hosted, String from) {
    boolean takesConfig = target == null || agent.can(AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig_VALUE);
    boolean takesPackages = plan.pkg() == null || agent.can(AgentCapabilities.AgentCapabilities_AcceptsPackages_VALUE);
    if (!takesConfig || !takesPackages) {
      cannotTake++;
      return;
    }
    AgentSnapshot snapshot = agent.snapshot();
    if (target != null) {
      List<String> missing = ComponentCheck.missing(target.body(), snapshot.availableComponents());
      if (!missing.isEmpty()) {
        incompatible.add(ComponentCheck.lacking(agent.uid(), missing));
        return;
      }
    }
    if (!plan.stages().isEmpty() && plan.stageOf(agent.labels()) < 0) {
      outsideStages++;
      return;
    }
    String previousPackage = null;
    if (plan.pkg() != null) {
      previousPackage = previousPackage(plan.pkg(), snapshot, offered.apply(agent), hosted, from);
      if (previousPackage == null) {
        noWayBack.add("agent " + agent.uid());
        return;
      }
    }
    Rollout.Candidate candidate = new Rollout.Candidate(agent.uid(), agent.labels(), previousPackage);
    (agent.connected() ? connected : offline).add(candidate);
  }

  /**
   * The hosted version an agent goes back to: the one the server offers it, else the one it reports
   * it has, else {@code from}; null when none is hosted.
   */
  private static String previousPackage(PackageTarget pkg, AgentSnapshot agent, Optional<String> offered,
      BiPredicate<String, String> hosted, String from) {
    if (offered.isPresent()) {
      return offered.get();
    }
    String has = agent.packageStatuses() == null ? ""
        : agent.packageStatuses().getPackagesOrDefault(pkg.name(), PackageStatus.getDefaultInstance()).getAgentHasVersion();
    if (!has.isEmpty() && hosted.test(pkg.name(), has)) {
      return has;
    }
    return from;
  }

  /** Agents left out because they lack components the config names, named (the first three). */
  List<String> incompatible() {
    return incompatible;
  }

  private void note(RolloutPlan plan) {
    if (cannotTake > 0) {
      notes.add(cannotTake + " matched agents do not accept remote config or packages, as the rollout needs,"
          + " and are left out");
    }
    if (outsideStages > 0) {
      notes.add(outsideStages + " matched agents are in no stage and are left out");
    }
    if (!incompatible.isEmpty()) {
      notes.add(incompatible.size() + " matched agents lack components the config names and are left out ("
          + firstThree(incompatible) + ")");
    }
    if (!noWayBack.isEmpty()) {
      notes.add(noWayBack.size() + " matched agents run no package version the server hosts, so could not go back,"
          + " and are left out (" + firstThree(noWayBack) + "); give \"from\" the hosted version they run");
    }
    if (!offline.isEmpty() && plan.includesOffline()) {
      notes.add(offline.size() + " matched agents are offline: they are in the waves, and one still offline "
          + plan.offlineDeadline().toSeconds() + " s after its wave started counts as failed");
    } else if (!offline.isEmpty()) {
      notes.add(offline.size() + " matched agents are offline: they wait, pending, and get the version when they"
          + " connect if the rollout succeeds");
    }
  }

  static String firstThree(List<String> items) {
    return String.join("; ", items.subList(0, Math.min(3, items.size())));
  }
}

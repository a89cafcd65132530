package io.opampfleet.server.internal.rollout;

import static io.opampfleet.proto.RemoteConfigStatuses.RemoteConfigStatuses_APPLIED;
import static io.opampfleet.proto.RemoteConfigStatuses.RemoteConfigStatuses_FAILED;
import static org.assertj.core.api.Assertions.assertThat;

import io.opampfleet.server.internal.configs.ConfigVersion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The rollout machine over random fleets: agents that apply, refuse, turn unhealthy, stay silent or
 * go away, random waves, budgets and bake times, first rollouts or not. Whatever they do, the
 * rollout ends; no agent is sent a version twice; a wave never holds more failures than its budget
 * without the rollout rolling back; and every touched agent ends on the new version or on what it
 * ran before, unless it never answered its rollback, which the rollout then reports FAILED.
 */
class RolloutMachineProperties {
  enum Behaviour { APPLIES, REFUSES, UNHEALTHY_AFTER_APPLYING, SILENT, OFFLINE_AT_START, LEAVES_AFTER_APPLYING }

  record Scenario(String waves, String budget, String bake, boolean first, List<Behaviour> agents) {}

  @Provide
  Arbitrary<Scenario> scenarios() {
    return Combinators.combine(
        Arbitraries.of("100%", "1,100%", "10%,50%,100%", "2,5,100%", "50%"),
        Arbitraries.of("0", "1", "25%"),
        Arbitraries.of("0s", "10s"),
        Arbitraries.of(true, false),
        Arbitraries.of(Behaviour.class).list().ofMinSize(1).ofMaxSize(20)).as(Scenario::new);
  }

  @Property(tries = 400)
  void aRolloutEndsAndLeavesEveryTouchedAgentOnTheNewVersionOrWhatItRanBefore(@ForAll("scenarios") Scenario scenario) {
    TestRollouts.Fleet fleet = new TestRollouts.Fleet();
    if (scenario.first()) {
      fleet.firstRollout();
    }
    Map<String, Behaviour> behaviours = new LinkedHashMap<>();
    for (int i = 0; i < scenario.agents().size(); i++) {
      String uid = String.format("agent-%02d", i);
      behaviours.put(uid, scenario.agents().get(i));
      fleet.facts(uid);
      if (scenario.agents().get(i) == Behaviour.OFFLINE_AT_START) {
        fleet.offline(uid);
      }
    }
    if (behaviours.values().stream().allMatch(b -> b == Behaviour.OFFLINE_AT_START)) {
      return; // the engine refuses a rollout with no connected agent
    }
    TestRollouts.Run run = fleet.rollout(scenario.waves(), scenario.bake(), scenario.budget(),
        behaviours.keySet().toArray(String[]::new));
    ConfigVersion before = scenario.first() ? null : TestRollouts.V1;
    Map<String, ConfigVersion> runs = new HashMap<>();
    behaviours.keySet().forEach(uid -> runs.put(uid, before));
    Map<String, Integer> sends = new HashMap<>();
    List<String> reactions = new ArrayList<>();

    react(run.start(), fleet, behaviours, runs, sends, reactions);
    for (long now = 1_000; !run.state().finished(); now += 1_000) {
      assertThat(now).as("the rollout ends").isLessThan(1_000_000);
      run.at(now);
      List<String> reacting = new ArrayList<>(reactions);
      reactions.clear();
      react(run.observe(reacting.toArray(String[]::new)), fleet, behaviours, runs, sends, reactions);
      budgetHolds(run);
      react(run.scan(), fleet, behaviours, runs, sends, reactions);
      budgetHolds(run);
    }

    assertThat(sends).as("no agent is sent the same thing twice").allSatisfy((key, count) -> assertThat(count).isOne());
    for (RolloutAgent agent : run.rollout().agents.values()) {
      switch (agent.progress) {
        case DONE -> assertThat(runs.get(agent.uid)).isEqualTo(TestRollouts.V2);
        case ROLLED_BACK -> assertThat(runs.get(agent.uid)).as(agent.uid + " runs what it ran before").isEqualTo(before);
        case ROLLBACK_FAILED -> assertThat(behaviours.get(agent.uid)).isIn(Behaviour.SILENT,
            Behaviour.LEAVES_AFTER_APPLYING);
        case PENDING -> assertThat(sends.containsKey(agent.uid + " app@2"))
            .isEqualTo(run.state() == RolloutState.SUCCEEDED);
        case FAILED -> assertThat(run.state()).isEqualTo(RolloutState.SUCCEEDED);
        case WAITING -> assertThat(run.state()).isNotEqualTo(RolloutState.SUCCEEDED);
        default -> throw new AssertionError(agent.uid + " left " + agent.progress);
      }
    }
    boolean stuck = run.rollout().agents.values().stream().anyMatch(a -> a.progress == AgentProgress.ROLLBACK_FAILED);
    assertThat(run.state()).isIn(RolloutState.SUCCEEDED, stuck ? RolloutState.FAILED : RolloutState.ROLLED_BACK);
  }

  /** A wave holds more failures than its budget only while the rollout rolls back or after. */
  private static void budgetHolds(TestRollouts.Run run) {
    Rollout rollout = run.rollout();
    for (List<RolloutAgent> wave : rollout.waves) {
      long failed = wave.stream().filter(a -> a.progress == AgentProgress.FAILED).count();
      if (failed > rollout.plan.budget().allowed(wave.size())) {
        assertThat(rollout.state).isIn(RolloutState.ROLLING_BACK, RolloutState.ROLLED_BACK, RolloutState.FAILED);
      }
    }
  }

  /** What each agent does with what it was sent, reported for the next transition to see. */
  private static void react(Steps steps, TestRollouts.Fleet fleet, Map<String, Behaviour> behaviours,
      Map<String, ConfigVersion> runs, Map<String, Integer> sends, List<String> reactions) {
    for (Steps.Send send : steps.sends) {
      String uid = send.uid();
      String what = send.version() != null ? send.version().label() : "local";
      sends.merge(uid + " " + what, 1, Integer::sum);
      Behaviour behaviour = behaviours.get(uid);
      if (!fleet.facts(uid).connected()) {
        continue; // it gets the desired config when it returns, after the rollout
      }
      if (send.version() == TestRollouts.V2) {
        switch (behaviour) {
          case APPLIES -> {
            runs.put(uid, TestRollouts.V2);
            fleet.reports(uid, TestRollouts.V2, RemoteConfigStatuses_APPLIED);
          }
          case REFUSES -> fleet.reports(uid, TestRollouts.V2, RemoteConfigStatuses_FAILED, "refused");
          case UNHEALTHY_AFTER_APPLYING -> {
            runs.put(uid, TestRollouts.V2);
            fleet.reports(uid, TestRollouts.V2, RemoteConfigStatuses_APPLIED);
            fleet.unhealthy(uid, "crashing");
          }
          case LEAVES_AFTER_APPLYING -> {
            runs.put(uid, TestRollouts.V2);
            fleet.reports(uid, TestRollouts.V2, RemoteConfigStatuses_APPLIED);
            fleet.offline(uid);
          }
          default -> { }
        }
      } else if (behaviour != Behaviour.SILENT) {
        // A rollback: back to the previous version, or, when it runs the version, told by the server
        // to drop it for its local config.
        if (send.version() != null || runs.get(uid) != null) {
          runs.put(uid, send.version());
          fleet.reports(uid, send.version(), RemoteConfigStatuses_APPLIED);
          fleet.online(uid);
          if (!fleet.facts(uid).healthy()) {
            healthyAgain(fleet, uid);
          }
        }
      }
      reactions.add(uid);
    }
  }

  private static void healthyAgain(TestRollouts.Fleet fleet, String uid) {
    AgentFacts was = fleet.facts(uid);
    fleet.put(uid, new AgentFacts(true, true, was.reportedHash(), was.reportedStatus(), was.configError(), "",
        was.desired(), was.packages()));
  }
}

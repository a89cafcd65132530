package io.opampfleet.server.internal.rollout;

import static io.opampfleet.proto.PackageStatusEnum.PackageStatusEnum_InstallFailed;
import static io.opampfleet.proto.PackageStatusEnum.PackageStatusEnum_Installed;
import static io.opampfleet.proto.PackageStatusEnum.PackageStatusEnum_Installing;
import static io.opampfleet.proto.RemoteConfigStatuses.RemoteConfigStatuses_APPLIED;
import static io.opampfleet.proto.RemoteConfigStatuses.RemoteConfigStatuses_APPLYING;
import static io.opampfleet.proto.RemoteConfigStatuses.RemoteConfigStatuses_FAILED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every transition of the rollout machine, on a fake clock and agents that report what a test says. */
class RolloutMachineTest {
  private final TestRollouts.Fleet fleet = new TestRollouts.Fleet();

  @Test
  void startSendsTheFirstWaveOnlyAndRuns() {
    TestRollouts.Run run = fleet.rollout("1,100%", "0s", "0", "a", "b", "c");

    Steps steps = run.start();

    assertThat(run.state()).isEqualTo(RolloutState.RUNNING);
    assertThat(TestRollouts.sentTo(steps)).containsExactly("a");
    assertThat(run.progress()).containsExactly("a=APPLYING", "b=WAITING", "c=WAITING");
    assertThat(run.agent("a").previous).isEqualTo(TestRollouts.V1);
  }

  @Test
  void aWaveWhoseAgentsApplyHealthyOpensTheNext() {
    TestRollouts.Run run = fleet.rollout("1,100%", "0s", "0", "a", "b", "c");
    run.start();

    fleet.reports("a", TestRollouts.V2, RemoteConfigStatuses_APPLIED);
    Steps steps = run.observe("a");

    assertThat(run.agent("a").progress).isEqualTo(AgentProgress.DONE);
    assertThat(run.rollout().currentWave).isEqualTo(1);
    assertThat(TestRollouts.sentTo(steps)).containsExactly("b", "c");
  }

  @Test
  void anAgentRemovedFromTheInventoryWhileApplyingFailsRatherThanHoldingItsWaveForEver() {
    TestRollouts.Run run = fleet.rollout("100%", "0s", "1", "a", "b");
    run.start();
    fleet.reports("b", TestRollouts.V2, RemoteConfigStatuses_APPLIED);
    fleet.remove("a");

    run.observe("a", "b");

    assertThat(run.progress()).containsExactly("a=FAILED", "b=DONE");
    assertThat(run.agent("a").message).isEqualTo("removed from the inventory during the rollout");
    assertThat(run.state()).isEqualTo(RolloutState.SUCCEEDED);
  }

  @Test
  void aPackageRolloutOffersTheVersionAndAnAgentIsDoneOnceItHasItInstalledAndHealthy() {
    TestRollouts.Run run = fleet.packageRollout("1,100%", "0", false, "a", "b");

    Steps first = run.start();
    assertThat(first.sends).as("a package alone: no config").isEmpty();
    assertThat(first.offers).containsExactly(new Steps.Offer("a", TestRollouts.OTELCOL_2, "rollout 1 wave 1"));
    fleet.packageReport("a", "1.0", PackageStatusEnum_Installing, "2.0", "");
    run.observe("a");
    assertThat(run.agent("a").progress).isEqualTo(AgentProgress.APPLYING);
    fleet.packageReport("a", "2.0", PackageStatusEnum_Installed, "2.0", "");
    Steps second = run.observe("a");

    assertThat(run.agent("a").progress).isEqualTo(AgentProgress.DONE);
    assertThat(second.offers).extracting(Steps.Offer::uid).containsExactly("b");
    fleet.packageReport("b", "2.0", PackageStatusEnum_Installed, "2.0", "");
    run.observe("b");
    assertThat(run.state()).isEqualTo(RolloutState.SUCCEEDED);
    assertThat(run.rollout().reason).isEqualTo("2 of 2 agents run package otelcol@2.0");
  }

  @Test
  void aPackageThatFailsToInstallRollsBackEveryTouchedAgentToItsPreviousVersion() {
    TestRollouts.Run run = fleet.packageRollout("1,100%", "0", false, "a", "b", "c");
    run.start();
    fleet.packageReport("a", "2.0", PackageStatusEnum_Installed, "2.0", "");
    run.observe("a");
    fleet.packageReport("b", "1.0", PackageStatusEnum_InstallFailed, "2.0", "collector exited; back on the previous");

    Steps rollback = run.observe("b");

    assertThat(run.state()).isEqualTo(RolloutState.ROLLING_BACK);
    assertThat(run.rollout().reason).contains("agent b otelcol@2.0 failed to install: collector exited");
    assertThat(rollback.offers).as("each touched agent is offered the version it had")
        .containsExactlyInAnyOrder(new Steps.Offer("a", TestRollouts.OTELCOL_1, "rollback of rollout 1"),
            new Steps.Offer("b", TestRollouts.OTELCOL_1, "rollback of rollout 1"),
            new Steps.Offer("c", TestRollouts.OTELCOL_1, "rollback of rollout 1"));
    assertThat(run.agent("b").progress).as("it went back by itself").isEqualTo(AgentProgress.ROLLED_BACK);
    assertThat(run.agent("a").progress).isEqualTo(AgentProgress.ROLLING_BACK);
    fleet.packageReport("a", "1.0", PackageStatusEnum_Installed, "1.0", "");
    fleet.packageReport("c", "1.0", PackageStatusEnum_Installed, "1.0", "");
    run.observe("a", "c");
    assertThat(run.state()).isEqualTo(RolloutState.ROLLED_BACK);
  }

  @Test
  void aRolloutOfAConfigWithAPackageWaitsForBothAndGoesBackOnBoth() {
    TestRollouts.Run run = fleet.packageRollout("100%", "0", true, "a", "b");
    Steps start = run.start();
    assertThat(TestRollouts.sentTo(start)).containsExactly("a", "b");
    assertThat(start.offers).extracting(Steps.Offer::uid).containsExactly("a", "b");
    fleet.reports("a", TestRollouts.V2, RemoteConfigStatuses_APPLIED);
    run.observe("a");
    assertThat(run.agent("a").progress).as("the package is not installed yet").isEqualTo(AgentProgress.APPLYING);
    fleet.packageReport("a", "2.0", PackageStatusEnum_Installed, "2.0", "");
    run.observe("a");
    assertThat(run.agent("a").progress).isEqualTo(AgentProgress.DONE);

    fleet.reports("b", TestRollouts.V2, RemoteConfigStatuses_FAILED, "unknown receiver");
    Steps rollback = run.observe("b");

    assertThat(rollback.sends).contains(new Steps.Send("a", TestRollouts.V1, "rollback of rollout 1"));
    assertThat(rollback.offers).contains(new Steps.Offer("a", TestRollouts.OTELCOL_1, "rollback of rollout 1"));
    fleet.reports("a", TestRollouts.V1, RemoteConfigStatuses_APPLIED);
    run.observe("a");
    assertThat(run.agent("a").progress).as("its package is still 2.0").isEqualTo(AgentProgress.ROLLING_BACK);
    run.at(60_001).scan();
    assertThat(run.agent("a").progress).isEqualTo(AgentProgress.ROLLBACK_FAILED);
    assertThat(run.agent("a").message).isEqualTo("did not return to otelcol@1.0, healthy, within 60 s");
  }

  @Test
  void aRolloutThatIncludesOfflineAgentsWaitsForEachUpToTheDeadlineThenCountsItFailed() {
    fleet.offline("b");
    fleet.offline("c");
    TestRollouts.Run run = fleet.withOffline("100%", Duration.ofMinutes(10), "a", "b", "c");

    Steps start = run.start();
    assertThat(TestRollouts.sentTo(start)).as("in the wave, sent now, delivered when they connect")
        .containsExactly("a", "b", "c");
    assertThat(run.rollout().pending).isEmpty();
    fleet.reports("a", TestRollouts.V2, RemoteConfigStatuses_APPLIED);
    run.at(300_000).scan();
    assertThat(run.progress()).as("past the apply timeout, within the deadline")
        .containsExactly("a=DONE", "b=APPLYING", "c=APPLYING");
    fleet.online("b");
    run.at(400_000).scan();
    assertThat(run.agent("b").progress).as("its apply timeout starts when it connects").isEqualTo(AgentProgress.APPLYING);
    fleet.reports("b", TestRollouts.V2, RemoteConfigStatuses_APPLIED);
    run.at(420_000).scan();
    assertThat(run.progress()).containsExactly("a=DONE", "b=DONE", "c=APPLYING");
    run.at(600_001).scan();

    assertThat(run.progress()).as("nothing reached c: it is back as soon as the server wants what it had")
        .containsExactly("a=ROLLING_BACK", "b=ROLLING_BACK", "c=ROLLED_BACK");
    assertThat(run.agent("c").message).startsWith("offline for longer than the offline deadline of 600 s; ");
    assertThat(run.state()).as("c spent the budget of 0").isEqualTo(RolloutState.ROLLING_BACK);
  }

  @Test
  void afterATakeoverAnAgentThatReportedTheVersionAndIsAwayAMomentIsRolledBackOnlyWhenItSaysSo() {
    TestRollouts.Run run = fleet.withOffline("100%", Duration.ofMinutes(10), "a", "b");
    run.start();
    fleet.reports("a", TestRollouts.V2, RemoteConfigStatuses_APPLIED);
    run.at(1_000).scan();
    assertThat(run.agent("a").progress).isEqualTo(AgentProgress.DONE);
    // Another server takes the rollout over: it knows of no agent connected in the wave, and a
    // reconnects to it.
    run.agent("a").connectedInWave = false;
    fleet.offline("a");
    fleet.reports("b", TestRollouts.V2, RemoteConfigStatuses_FAILED, "bad");

    run.at(2_000).observe("b");

    assertThat(run.agent("a").progress).as("it runs the version: it is back once it reports what it had")
        .isEqualTo(AgentProgress.ROLLING_BACK);
  }

  @Test
  void anIncludedOfflineAgentThatConnectsThenKeepsLeavingHasTheApplyTimeoutNotTheDeadline() {
    fleet.offline("a");
    TestRollouts.Run run = fleet.withOffline("100%", Duration.ofMinutes(10), "a");
    run.start();
    fleet.online("a");
    run.at(10_000).scan();
    fleet.offline("a");
    run.at(50_000).scan();
    fleet.online("a");
    run.at(60_000).scan();
    fleet.offline("a");

    run.at(70_001).scan();

    assertThat(run.agent("a").message).as("failed 60 s after it first connected, never having applied")
        .startsWith("offline; did not report the config APPLIED");
    assertThat(run.state()).isEqualTo(RolloutState.ROLLING_BACK);
  }

  @Test
  void anAgentThatStaysHealthyForTheBakeTimeIsDoneAndTheLastWaveSucceeds() {
    TestRollouts.Run run = fleet.rollout("100%", "30s", "0", "a");
    run.start();
    fleet.reports("a", TestRollouts.V2, RemoteConfigStatuses_APPLIED);

    run.observe("a");
    assertThat(run.agent("a").progress).isEqualTo(AgentProgress.BAKING);
    run.at(29_000).scan();
    assertThat(run.agent("a").progress).isEqualTo(AgentProgress.BAKING);
    run.at(30_000).scan();

    assertThat(run.agent("a").progress).isEqualTo(AgentProgress.DONE);
    assertThat(run.state()).isEqualTo(RolloutState.SUCCEEDED);
    assertThat(run.rollout().reason).isEqualTo("1 of 1 agents run app@2");
    assertThat(run.rollout().endedAt).isEqualTo(30_000);
  }

  @Test
  void anAgentThatTurnsUnhealthyDuringTheBakeFailsAndOverTheBudgetRollsBack() {
    TestRollouts.Run run = fleet.rollout("100%", "30s", "0", "a", "b");
    run.start();
    fleet.reports("a", TestRollouts.V2, RemoteConfigStatuses_APPLIED);
    fleet.reports("b", TestRollouts.V2, RemoteConfigStatuses_APPLIED);
    run.observe("a", "b");

    fleet.unhealthy("b", "exporter down");
    Steps steps = run.at(5_000).observe("b");

    assertThat(run.agent("b").message).isEqualTo("turned unhealthy during the bake time: exporter down");
    assertThat(run.state()).isEqualTo(RolloutState.ROLLING_BACK);
    assertThat(run.rollout().reason).isEqualTo("wave 1: 1 of 2 agents failed, over the failure budget of 0; first:"
        + " agent b turned unhealthy during the bake time: exporter down");
    assertThat(steps.sends).extracting(Steps.Send::uid, Steps.Send::version)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("a", TestRollouts.V1),
            org.assertj.core.groups.Tuple.tuple("b", TestRollouts.V1));
  }

  @Test
  void anAgentOfflineDuringTheBakeIsWaitedForWithinTheApplyTimeout() {
    TestRollouts.Run run = bakingAgentGoneAway("0");
    run.at(10_000).scan();
    assertThat(run.agent("a").progress).isEqualTo(AgentProgress.BAKING);
    fleet.online("a");
    run.at(70_000).scan();
    assertThat(run.agent("a").progress).as("the bake restarts when it returns").isEqualTo(AgentProgress.BAKING);
    run.at(100_000).scan();
    assertThat(run.agent("a").progress).isEqualTo(AgentProgress.DONE);
  }

  @Test
  void anAgentOfflineDuringTheBakeLongerThanTheApplyTimeoutFails() {
    TestRollouts.Run run = bakingAgentGoneAway("1");
    run.at(1_000).scan();
    run.at(62_000).scan();

    assertThat(run.agent("a").progress).isEqualTo(AgentProgress.FAILED);
    assertThat(run.agent("a").message).isEqualTo("offline for longer than 60 s during the bake time");
  }

  /** Agent a applied the version, bakes for 30 s, and has just gone away. */
  private TestRollouts.Run bakingAgentGoneAway(String budget) {
    TestRollouts.Run run = fleet.rollout("100%", "30s", budget, "a");
    run.start();
    fleet.reports("a", TestRollouts.V2, RemoteConfigStatuses_APPLIED);
    run.observe("a");
    fleet.offline("a");
    return run;
  }

  @Test
  void anAgentThatDoesNotApplyWithinTheTimeoutFails() {
    TestRollouts.Run run = fleet.rollout("100%", "0s", "1", "a");
    run.start();

    run.at(60_000).scan();
    assertThat(run.agent("a").progress).isEqualTo(AgentProgress.APPLYING);
    run.at(60_001).scan();

    assertThat(run.agent("a").progress).isEqualTo(AgentProgress.FAILED);
    assertThat(run.agent("a").message).isEqualTo("did not report the config APPLIED and healthy within 60 s");
    assertThat(run.state()).as("within a budget of 1, the last wave ends").isEqualTo(RolloutState.SUCCEEDED);
    assertThat(run.rollout().reason).isEqualTo("0 of 1 agents run app@2");
  }

  @Test
  void aReportedFailureWithinTheBudgetLetsTheRolloutGoOn() {
    TestRollouts.Run run = fleet.rollout("2,100%", "0s", "1", "a", "b", "c");
    run.start();
    fleet.reports("a", TestRollouts.V2, RemoteConfigStatuses_FAILED, "unknown component");
    fleet.reports("b", TestRollouts.V2, RemoteConfigStatuses_APPLIED);

    run.observe("a", "b");

    assertThat(run.agent("a").message).isEqualTo("reported FAILED: unknown component");
    assertThat(run.rollout().currentWave).isEqualTo(1);
    assertThat(run.state()).isEqualTo(RolloutState.RUNNING);
  }

  @Test
  void aRollbackEndsRolledBackWhenEveryTouchedAgentRunsItsPreviousConfig() {
    TestRollouts.Run run = fleet.rollout("1,100%", "0s", "0", "a", "b");
    run.start();
    fleet.reports("a", TestRollouts.V2, RemoteConfigStatuses_FAILED, "bad");
    run.observe("a");
    assertThat(run.progress()).containsExactly("a=ROLLING_BACK", "b=WAITING");

    fleet.reports("a", TestRollouts.V1, RemoteConfigStatuses_APPLIED);
    run.observe("a");

    assertThat(run.progress()).containsExactly("a=ROLLED_BACK", "b=WAITING");
    assertThat(run.state()).isEqualTo(RolloutState.ROLLED_BACK);
  }

  @Test
  void aRollbackThatAnAgentCannotApplyEndsFailed() {
    TestRollouts.Run run = fleet.rollout("100%", "0s", "0", "a");
    run.start();
    fleet.reports("a", TestRollouts.V2, RemoteConfigStatuses_FAILED, "bad");
    run.observe("a");

    run.at(60_001).scan();

    assertThat(run.agent("a").progress).isEqualTo(AgentProgress.ROLLBACK_FAILED);
    assertThat(run.agent("a").message).isEqualTo("did not report its previous config app@1 APPLIED and healthy"
        + " within 60 s");
    assertThat(run.state()).isEqualTo(RolloutState.FAILED);
    assertThat(run.rollout().reason).endsWith("; 1 agents could not be returned to their previous config");
  }

  @Test
  void aFirstRolloutRollsBackToTheLocalConfig() {
    fleet.firstRollout();
    TestRollouts.Run run = fleet.rollout("2,100%", "0s", "0", "a", "b", "c");
    run.start();
    fleet.reports("a", TestRollouts.V2, RemoteConfigStatuses_APPLIED);
    fleet.reports("b", TestRollouts.V2, RemoteConfigStatuses_FAILED, "cannot start");

    Steps rollback = run.observe("a", "b");

    assertThat(rollback.sends).as("both back to their local config (the server tells a, which runs the version, to drop it)")
        .containsExactly(
            new Steps.Send("a", null, "rollback of rollout 1"),
            new Steps.Send("b", null, "rollback of rollout 1"));
    assertThat(run.progress()).as("b refused it and runs its local config already")
        .containsExactly("a=ROLLING_BACK", "b=ROLLED_BACK", "c=WAITING");
    assertThat(run.agent("b").message).isEqualTo("reported FAILED: cannot start; back on its local config");
    fleet.reports("a", null, RemoteConfigStatuses_APPLIED);
    run.observe("a");
    assertThat(run.progress()).containsExactly("a=ROLLED_BACK", "b=ROLLED_BACK", "c=WAITING");
    assertThat(run.state()).isEqualTo(RolloutState.ROLLED_BACK);
  }

  @Test
  void aFirstRolloutAgentThatRefusesOnlyAfterTheRollbackBeganIsDoneWithoutBeingToldAnything() {
    fleet.firstRollout();
    TestRollouts.Run run = fleet.rollout("100%", "0s", "0", "a", "b");
    run.start();
    fleet.reports("a", TestRollouts.V2, RemoteConfigStatuses_FAILED, "cannot start");
    fleet.unhealthy("a", "exited");
    run.observe("a");
    assertThat(run.progress()).containsExactly("a=ROLLING_BACK", "b=ROLLING_BACK");

    fleet.reports("b", TestRollouts.V2, RemoteConfigStatuses_FAILED, "cannot start");
    fleet.online("a");
    Steps steps = run.observe("a", "b");

    assertThat(steps.sends).isEmpty();
    assertThat(run.state()).isEqualTo(RolloutState.ROLLED_BACK);
  }

  @Test
  void pausedTheGateHoldsAndResumedItOpens() {
    TestRollouts.Run run = fleet.rollout("1,100%", "0s", "0", "a", "b");
    run.start();
    run.machine().pause("ops");
    fleet.reports("a", TestRollouts.V2, RemoteConfigStatuses_APPLIED);

    run.observe("a");
    assertThat(run.progress()).containsExactly("a=DONE", "b=WAITING");
    assertThat(run.rollout().reason).isEqualTo("paused by ops");
    assertThatThrownBy(() -> run.machine().pause("ops")).hasMessage("rollout 1 is PAUSED, not RUNNING; nothing to do");

    run.machine().resume("ops");
    Steps steps = run.scan();
    assertThat(TestRollouts.sentTo(steps)).containsExactly("b");
  }

  @Test
  void anAbortLeavesAgentsAsTheyAreAndPendingOnesWithout() {
    fleet.offline("p");
    TestRollouts.Run run = fleet.rollout("1,100%", "0s", "0", "a", "b", "p");
    run.start();

    Steps steps = run.machine().abort("ops", 5_000);

    assertThat(run.state()).isEqualTo(RolloutState.ABORTED);
    assertThat(steps.sends).isEmpty();
    assertThat(run.progress()).containsExactly("a=APPLYING", "b=WAITING", "p=PENDING");
    assertThat(run.agent("p").message).isEqualTo("offline during the rollout, which was aborted; keeps its config");
  }

  @Test
  void offlineAgentsAreInNoWaveAndGetTheVersionOnlyWhenTheRolloutSucceeds() {
    fleet.offline("p");
    TestRollouts.Run run = fleet.rollout("100%", "0s", "0", "a", "p");
    assertThat(run.rollout().waves).hasSize(1);
    assertThat(run.rollout().wave(0)).extracting(agent -> agent.uid).containsExactly("a");
    assertThat(TestRollouts.sentTo(run.start())).containsExactly("a");

    fleet.reports("a", TestRollouts.V2, RemoteConfigStatuses_APPLIED);
    Steps steps = run.observe("a");

    assertThat(run.state()).isEqualTo(RolloutState.SUCCEEDED);
    assertThat(steps.sends).containsExactly(new Steps.Send("p", TestRollouts.V2,
        "rollout 1 succeeded while it was offline"));
    assertThat(run.rollout().reason).isEqualTo("1 of 1 agents run app@2; 1 offline agents get it when they connect");
  }

  @Test
  void offlineAgentsGetNothingWhenTheRolloutRollsBack() {
    fleet.offline("p");
    TestRollouts.Run run = fleet.rollout("100%", "0s", "0", "a", "p");
    run.start();
    fleet.reports("a", TestRollouts.V2, RemoteConfigStatuses_FAILED, "bad");

    Steps steps = run.observe("a");

    assertThat(TestRollouts.sentTo(steps)).containsExactly("a");
    assertThat(run.agent("p").message).isEqualTo("offline during the rollout, which rolled back; keeps its config");
  }

  @Test
  void restartedMidWaveItRestartsTheClocksAndStartsAWaveLeftUnstarted() {
    TestRollouts.Run run = fleet.rollout("1,100%", "0s", "0", "a", "b");
    run.start();
    fleet.reports("a", TestRollouts.V2, RemoteConfigStatuses_APPLIED);
    run.observe("a");
    // The server stopped after storing wave 2 and before its agents' first step.
    run.agent("b").progress = AgentProgress.WAITING;

    Steps steps = run.machine().resumeAfterRestart(fleet, 500_000);

    assertThat(TestRollouts.sentTo(steps)).containsExactly("b");
    assertThat(run.agent("b").since).isEqualTo(500_000);
    run.at(560_000).scan();
    assertThat(run.agent("b").progress).as("its timeout counts from the restart").isEqualTo(AgentProgress.APPLYING);
  }

  @Test
  void whatALaterWaveGoesBackToIsTakenAtTheStartNotFromADesiredConfigTheRolloutWroteAlready() {
    TestRollouts.Run run = fleet.rollout("1,100%", "0s", "0", "a", "b");
    run.start();
    assertThat(run.agent("b").previous).as("stored with the rollout, before any config goes out").isEqualTo(TestRollouts.V1);
    // The server stored wave 2's desired configs, then stopped before its rows: its successor finds b
    // WAITING and meant to run the rollout's own version already.
    fleet.desire("b", TestRollouts.V2);
    fleet.reports("a", TestRollouts.V2, RemoteConfigStatuses_APPLIED);
    run.observe("a");
    fleet.reports("b", TestRollouts.V2, RemoteConfigStatuses_FAILED, "bad");

    Steps rollback = run.observe("b");

    assertThat(rollback.sends).contains(new Steps.Send("b", TestRollouts.V1, "rollback of rollout 1"));
  }

  @Test
  void resumedAfterARestartItSendsAgainWhatTheStoreDoesNotSayTheServerWants() {
    TestRollouts.Run run = fleet.rollout("100%", "0s", "0", "a", "b", "c");
    run.start();
    fleet.reports("c", TestRollouts.V2, RemoteConfigStatuses_APPLIED);
    // Killed while handing the wave over: a's desired config never reached the store, b's and c's did.
    fleet.desire("a", TestRollouts.V1);

    Steps steps = run.machine().resumeAfterRestart(fleet, 500_000);

    assertThat(steps.sends).containsExactly(new Steps.Send("a", TestRollouts.V2, "rollout 1 resumed"));
    assertThat(run.agent("a").since).isEqualTo(500_000);
  }

  @Test
  void resumedDuringARollbackItSendsEveryAgentOnItsWayBackWhatItHadAgain() {
    fleet.firstRollout();
    TestRollouts.Run run = fleet.rollout("100%", "0s", "0", "a", "b");
    run.start();
    fleet.reports("a", TestRollouts.V2, RemoteConfigStatuses_APPLIED);
    fleet.reports("b", TestRollouts.V2, RemoteConfigStatuses_FAILED, "cannot start");
    fleet.unhealthy("b", "exited");
    run.observe("a", "b");
    assertThat(run.progress()).containsExactly("a=ROLLING_BACK", "b=ROLLING_BACK");

    Steps steps = run.machine().resumeAfterRestart(fleet, 500_000);

    assertThat(steps.sends).containsExactly(new Steps.Send("a", null, "rollout 1 resumed"),
        new Steps.Send("b", null, "rollout 1 resumed"));
  }

  @Test
  void aFirstRolloutAgentTheVersionNeverReachedIsBackOnItsLocalConfigOnceItSaidNothingForTheApplyTimeout() {
    fleet.firstRollout();
    TestRollouts.Run run = fleet.rollout("100%", "0s", "0", "a", "b");
    run.start();
    fleet.reports("b", TestRollouts.V2, RemoteConfigStatuses_FAILED, "cannot start");
    run.observe("b");
    assertThat(run.progress()).as("a polls seldom and has not seen the version").containsExactly("a=ROLLING_BACK",
        "b=ROLLED_BACK");

    run.at(30_000).scan();
    assertThat(run.agent("a").progress).as("within the apply timeout it may still report").isEqualTo(
        AgentProgress.ROLLING_BACK);
    run.at(60_001).scan();

    assertThat(run.agent("a").progress).isEqualTo(AgentProgress.ROLLED_BACK);
    assertThat(run.agent("a").message).isEqualTo("never ran app@2 (it did not reach the agent before the rollback);"
        + " runs its local config");
    assertThat(run.state()).isEqualTo(RolloutState.ROLLED_BACK);
  }

  @Test
  void aFailureAnAgentReportedForTheVersionBeforeItsWaveIsNotCountedUntilItReportsAnew() {
    fleet.firstRollout();
    // An earlier rollout of the same version: a refused it, went back to its local config, and says so still.
    fleet.reports("a", TestRollouts.V2, RemoteConfigStatuses_FAILED, "cannot start: port in use");
    fleet.reports("b", TestRollouts.V2, RemoteConfigStatuses_FAILED, "cannot start: port in use");
    TestRollouts.Run run = fleet.rollout("100%", "0s", "0", "a", "b");

    run.start();
    run.at(1_000).scan();
    assertThat(run.progress()).as("sent the version again, each may apply it now").containsExactly("a=APPLYING",
        "b=APPLYING");

    assertThat(run.agent("a").row(1).staleFailure()).as("stored with its attempt").isTrue();
    fleet.reports("a", TestRollouts.V2, RemoteConfigStatuses_APPLYING);
    fleet.reports("b", TestRollouts.V2, RemoteConfigStatuses_APPLYING);
    Steps applying = run.observe("a", "b");
    assertThat(applying.recorded.keySet()).as("stored as no longer stale").containsExactly("a", "b");
    assertThat(run.agent("a").row(1).staleFailure()).isFalse();
    fleet.reports("a", TestRollouts.V2, RemoteConfigStatuses_APPLIED);
    fleet.reports("b", TestRollouts.V2, RemoteConfigStatuses_FAILED, "cannot start: port in use");
    run.observe("a", "b");

    assertThat(run.progress()).as("b's new refusal counts: the rollout rolls back").containsExactly("a=ROLLING_BACK",
        "b=ROLLED_BACK");
  }

  @Test
  void anAbortIsRefusedOnceTheRolloutRollsBackOrHasEnded() {
    TestRollouts.Run run = fleet.rollout("100%", "0s", "0", "a");
    run.start();
    fleet.reports("a", TestRollouts.V2, RemoteConfigStatuses_FAILED, "bad");
    run.observe("a");
    assertThat(run.state()).isEqualTo(RolloutState.ROLLING_BACK);

    assertThatThrownBy(() -> run.machine().abort("ops", 5_000)).isInstanceOf(RolloutException.class)
        .hasMessageContaining("is ROLLING_BACK: its agents are on their way back already");
    fleet.reports("a", TestRollouts.V1, RemoteConfigStatuses_APPLIED);
    run.observe("a");
    assertThat(run.state()).isEqualTo(RolloutState.ROLLED_BACK);
    assertThatThrownBy(() -> run.machine().abort("ops", 6_000)).isInstanceOf(RolloutException.class)
        .hasMessageContaining("only a RUNNING or PAUSED rollout can be aborted");
  }

  @Test
  void stagesBySelectorMakeOneWaveEachWithItsOwnBakeTime() {
    TestRollouts.Run run = fleet.staged(List.of(
            new Stage(io.opampfleet.server.internal.selector.LabelSelector.parse("env=dev"), java.time.Duration.ofSeconds(10)),
            new Stage(io.opampfleet.server.internal.selector.LabelSelector.parse("env=prod,region=eu"),
                java.time.Duration.ofSeconds(60))),
        List.of(new Rollout.Candidate("p1", java.util.Map.of("env", "prod", "region", "eu")),
            new Rollout.Candidate("d1", java.util.Map.of("env", "dev")),
            new Rollout.Candidate("d2", java.util.Map.of("env", "dev", "region", "eu")),
            new Rollout.Candidate("us", java.util.Map.of("env", "prod", "region", "us"))));

    assertThat(run.rollout().wave(0)).extracting(agent -> agent.uid).containsExactly("d1", "d2");
    assertThat(run.rollout().wave(1)).extracting(agent -> agent.uid).containsExactly("p1");
    assertThat(run.rollout().agents).doesNotContainKey("us");
    assertThat(TestRollouts.sentTo(run.start())).containsExactly("d1", "d2");
    fleet.reports("d1", TestRollouts.V2, RemoteConfigStatuses_APPLIED);
    fleet.reports("d2", TestRollouts.V2, RemoteConfigStatuses_APPLIED);
    run.observe("d1", "d2");
    run.at(9_999).scan();
    assertThat(run.rollout().currentWave).as("the dev stage bakes 10 s").isZero();
    Steps prod = run.at(10_000).scan();
    assertThat(TestRollouts.sentTo(prod)).containsExactly("p1");
    fleet.reports("p1", TestRollouts.V2, RemoteConfigStatuses_APPLIED);
    run.at(11_000).observe("p1");
    run.at(70_999).scan();
    assertThat(run.state()).as("the prod stage bakes 60 s").isEqualTo(RolloutState.RUNNING);
    run.at(71_000).scan();
    assertThat(run.state()).isEqualTo(RolloutState.SUCCEEDED);
    assertThat(run.rollout().view(10).waveProgress()).extracting(RolloutView.Wave::selector, RolloutView.Wave::bakeMillis)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("env=dev", 10_000L),
            org.assertj.core.groups.Tuple.tuple("env=prod,region=eu", 60_000L));
  }

  @Test
  void aFailureFromOutsideEndsTheRolloutFailedWithTheReason() {
    TestRollouts.Run run = fleet.rollout("100%", "0s", "0", "a");
    run.start();

    run.machine().fail("the store refused the rollout's progress 5 times: disk full", 9_000);

    assertThat(run.state()).isEqualTo(RolloutState.FAILED);
    assertThat(run.rollout().reason).isEqualTo("the store refused the rollout's progress 5 times: disk full");
    assertThat(List.of(run.rollout().endedAt)).containsExactly(9_000L);
  }
}

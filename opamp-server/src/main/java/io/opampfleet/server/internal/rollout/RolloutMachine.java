package io.opampfleet.server.internal.rollout;

import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.server.internal.configs.ConfigVersion;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * One rollout's state machine, with no threads, clocks, storage or sockets: given what its agents
 * report now and the time, each transition changes the rollout and says what to send and record
 * ({@link Steps}). The engine around it feeds it and carries its steps out.
 *
 * <p>Waves hold the agents connected when the rollout started; those offline wait, PENDING, and get
 * the version when they return only if the rollout succeeded. A wave passes when its agents report
 * the version APPLIED and stay healthy for the bake time; failures beyond the budget roll back every
 * agent the rollout touched, to the version it had, or to its local config when it had none.
 */
final class RolloutMachine {
  /** The facts of one agent now; empty when the server no longer knows it. */
  interface Fleet extends Function<String, Optional<AgentFacts>> {}

  private final Rollout rollout;

  RolloutMachine(Rollout rollout) {
    this.rollout = rollout;
  }

  Rollout rollout() {
    return rollout;
  }

  /**
   * The first wave starts; the rollout runs. What every agent is meant to run now is what a rollback
   * returns it to: taken here, for all its waves, so it is stored with the rollout before any config
   * goes out (taken as each wave starts, a server stopped after a wave's configs were stored but
   * before its rows were would have its successor take the rollout's own version for what they had).
   */
  Steps start(Fleet fleet, long now) {
    Steps steps = new Steps();
    if (rollout.target != null) {
      for (RolloutAgent agent : rollout.agents.values()) {
        agent.previous = fleet.apply(agent.uid).map(AgentFacts::desired).orElse(null);
      }
    }
    setState(steps, RolloutState.RUNNING, rollout.reason);
    startWave(steps, fleet, now);
    return steps;
  }

  /**
   * After a restart, or on another server taking over: clocks of agents in flight start again from
   * now, what they are meant to run is decided again where the store lacks it (the server may have
   * stopped while handing a wave or a rollback over), and a wave left unstarted starts.
   */
  Steps resumeAfterRestart(Fleet fleet, long now) {
    Steps steps = new Steps();
    for (RolloutAgent agent : rollout.agents.values()) {
      if (agent.progress.inFlight() || agent.progress == AgentProgress.ROLLING_BACK) {
        agent.since = now;
        fleet.apply(agent.uid).ifPresent(facts -> sendAgain(steps, agent, facts));
      }
    }
    if (rollout.state == RolloutState.PENDING) {
      setState(steps, RolloutState.RUNNING, rollout.reason);
    }
    if (rollout.state == RolloutState.RUNNING || rollout.state == RolloutState.PAUSED) {
      // The server may have stopped between storing the wave and its agents' first step.
      startWave(steps, fleet, now);
    }
    return steps;
  }

  /** Looks at these agents' reports and the clock, then at the wave's gate. */
  Steps observe(Iterable<String> uids, Fleet fleet, long now) {
    Steps steps = new Steps();
    for (String uid : uids) {
      RolloutAgent agent = rollout.agents.get(uid);
      if (agent != null) {
        evaluate(steps, agent, fleet, now);
      }
    }
    gate(steps, fleet, now);
    return steps;
  }

  /** Looks at every agent the clock may move on: the current wave's, and those rolling back. */
  Steps scan(Fleet fleet, long now) {
    Steps steps = new Steps();
    for (RolloutAgent agent : rollout.wave(rollout.currentWave)) {
      evaluate(steps, agent, fleet, now);
    }
    if (rollout.state == RolloutState.ROLLING_BACK) {
      rollout.agents.values().forEach(agent -> evaluate(steps, agent, fleet, now));
    }
    gate(steps, fleet, now);
    return steps;
  }

  Steps pause(String who) {
    return control(RolloutState.RUNNING, RolloutState.PAUSED, "paused by " + who);
  }

  Steps resume(String who) {
    return control(RolloutState.PAUSED, RolloutState.RUNNING, "resumed by " + who);
  }

  /**
   * Ends the rollout where it is: agents keep the config they have, pending ones get nothing. Only a
   * rollout on its way out: a rollback has sent agents back already, and an end is an end.
   */
  Steps abort(String who, long now) {
    if (rollout.state != RolloutState.RUNNING && rollout.state != RolloutState.PAUSED) {
      throw new RolloutException(RolloutException.Kind.CONFLICT, "rollout " + rollout.id + " is " + rollout.state
          + (rollout.state == RolloutState.ROLLING_BACK ? ": its agents are on their way back already" : "")
          + "; only a RUNNING or PAUSED rollout can be aborted");
    }
    Steps steps = new Steps();
    leavePending(steps, now, "offline during the rollout, which was aborted; keeps its " + carries());
    finish(steps, RolloutState.ABORTED, "aborted by " + who + " in wave " + (rollout.currentWave + 1)
        + "; agents keep the " + carries() + " they have now", now);
    return steps;
  }

  /** Ends the rollout FAILED for a reason outside it (the store refused its progress). */
  Steps fail(String reason, long now) {
    Steps steps = new Steps();
    finish(steps, RolloutState.FAILED, reason, now);
    return steps;
  }

  private Steps control(RolloutState from, RolloutState to, String reason) {
    if (rollout.state != from) {
      throw new RolloutException(RolloutException.Kind.CONFLICT, "rollout " + rollout.id + " is " + rollout.state
          + ", not " + from + "; nothing to do");
    }
    Steps steps = new Steps();
    setState(steps, to, reason);
    return steps;
  }

  /** Moves one agent on from what it reported, or from the clock. */
  private void evaluate(Steps steps, RolloutAgent entry, Fleet fleet, long now) {
    Optional<AgentFacts> found = fleet.apply(entry.uid);
    if (found.isEmpty()) {
      gone(steps, entry, now);
      return;
    }
    AgentFacts agent = found.get();
    Duration timeout = rollout.plan.applyTimeout();
    switch (entry.progress) {
      case APPLYING -> {
        Part config = stillStale(steps, entry, agent) ? Part.WAITING : configApplied(agent);
        Part pkg = packageInstalled(agent);
        if (config.failure() != null || pkg.failure() != null) {
          move(steps, entry, AgentProgress.FAILED, now, config.failure() != null ? config.failure() : pkg.failure());
        } else if (config.done() && pkg.done() && agent.healthy()) {
          move(steps, entry, rollout.plan.bakeOf(entry.wave).isZero() ? AgentProgress.DONE : AgentProgress.BAKING,
              now, null);
        } else if (waitedForOffline(steps, entry, agent, now)) {
          return;
        } else if (now - entry.since > timeout.toMillis()) {
          move(steps, entry, AgentProgress.FAILED, now, (agent.connected() ? "" : "offline; ")
              + "did not report " + applied() + " and healthy within " + timeout.toSeconds() + " s"
              + (config.done() && pkg.done() ? ": unhealthy: " + agent.healthError() : ""));
        }
      }
      case BAKING -> {
        String failure = Optional.ofNullable(configApplied(agent).failure()).orElse(packageInstalled(agent).failure());
        if (failure != null) {
          move(steps, entry, AgentProgress.FAILED, now, failure);
        } else if (!agent.connected()) {
          // Away is not unhealthy: wait for it (a server restart drops everyone), within the timeout.
          entry.awaySince = entry.awaySince == RolloutAgent.NOT_AWAY ? now : entry.awaySince;
          if (now - entry.awaySince > timeout.toMillis()) {
            move(steps, entry, AgentProgress.FAILED, now, "offline for longer than " + timeout.toSeconds()
                + " s during the bake time");
          }
        } else if (entry.awaySince != RolloutAgent.NOT_AWAY) {
          entry.awaySince = RolloutAgent.NOT_AWAY;
          entry.since = now;
        } else if (!agent.healthy()) {
          move(steps, entry, AgentProgress.FAILED, now, "turned unhealthy during the bake time: " + agent.healthError());
        } else if (now - entry.since >= rollout.plan.bakeOf(entry.wave).toMillis()) {
          move(steps, entry, AgentProgress.DONE, now, null);
        }
      }
      case ROLLING_BACK -> {
        Part config = configBack(entry, agent);
        Part pkg = packageBack(entry, agent);
        if (config.failure() != null || pkg.failure() != null) {
          move(steps, entry, AgentProgress.ROLLBACK_FAILED, now,
              config.failure() != null ? config.failure() : pkg.failure());
        } else if (config.done() && pkg.done() && agent.healthy()) {
          move(steps, entry, AgentProgress.ROLLED_BACK, now, config.note() != null ? config.note() : entry.message);
        } else if (now - entry.since > timeout.toMillis() && pkg.done() && neverLeftItsLocalConfig(entry, agent)) {
          move(steps, entry, AgentProgress.ROLLED_BACK, now, "never ran " + rollout.target.label()
              + " (it did not reach the agent before the rollback); runs its local config");
        } else if (now - entry.since > timeout.toMillis()) {
          move(steps, entry, AgentProgress.ROLLBACK_FAILED, now, "did not " + backGoal(entry, config.done())
              + " within " + timeout.toSeconds() + " s"
              + (entry.previous == null && !agent.healthy() ? ": " + agent.healthError() : ""));
        }
      }
      default -> { }
    }
  }

  /** Whether the agent's FAILED for the version is still the one from before its wave (see {@link RolloutAgent#staleFailure}). */
  private boolean stillStale(Steps steps, RolloutAgent entry, AgentFacts agent) {
    if (entry.staleFailure == null && !entry.staleUnread) {
      return false;
    }
    readStale(entry, agent);
    if (entry.staleFailure != null && reportsFailed(agent) && entry.staleFailure.equals(agent.configError())) {
      return true;
    }
    entry.staleFailure = null;
    // Stored as cleared too: after a restart, a refusal the agent reports by then is a new one.
    steps.record(entry);
    return false;
  }

  /** A stale failure read back from the store: the refusal the agent still reports, if it does. */
  private void readStale(RolloutAgent entry, AgentFacts agent) {
    if (entry.staleUnread) {
      entry.staleUnread = false;
      entry.staleFailure = reportsFailed(agent) ? agent.configError() : null;
    }
  }

  /**
   * In a rollout that includes offline agents, one not seen connected since its wave started is
   * waited for up to the offline deadline from the wave's start, then fails; its apply timeout starts
   * when it first connects. One that leaves after that has the apply timeout, as any agent.
   */
  private boolean waitedForOffline(Steps steps, RolloutAgent entry, AgentFacts agent, long now) {
    if (!rollout.plan.includesOffline() || entry.connectedInWave) {
      return false;
    }
    if (agent.connected()) {
      entry.connectedInWave = true;
      entry.since = now;
      return false;
    }
    Duration deadline = rollout.plan.offlineDeadline();
    if (now - entry.since > deadline.toMillis()) {
      move(steps, entry, AgentProgress.FAILED, now, "offline for longer than the offline deadline of "
          + deadline.toSeconds() + " s");
    }
    return true;
  }

  /**
   * Where one part of the rollout's change (its config, its package) stands on one agent: done
   * (with a note to record, or none), failed (with the reason), or neither yet.
   */
  private record Part(boolean done, String failure, String note) {
    static final Part DONE = new Part(true, null, null);
    static final Part WAITING = new Part(false, null, null);

    static Part failed(String why) {
      return new Part(false, why, null);
    }
  }

  /** What the agents must report for the change to count as applied. */
  private String applied() {
    PackageTarget pkg = rollout.plan.pkg();
    if (pkg == null) {
      return "the config APPLIED";
    }
    return (rollout.target == null ? "" : "the config APPLIED and ") + pkg.label() + " installed";
  }

  private Part configApplied(AgentFacts agent) {
    if (rollout.target == null) {
      return Part.DONE;
    }
    return switch (agent.statusOf(rollout.target.sha256())) {
      case RemoteConfigStatuses_APPLIED -> Part.DONE;
      case RemoteConfigStatuses_FAILED -> Part.failed("reported FAILED: " + agent.configError());
      default -> Part.WAITING;
    };
  }

  private Part packageInstalled(AgentFacts agent) {
    PackageTarget pkg = rollout.plan.pkg();
    if (pkg == null) {
      return Part.DONE;
    }
    PackageFacts facts = agent.packageFacts(pkg.name());
    if (facts.failed(pkg.version())) {
      return Part.failed(pkg.label() + " failed to install: " + facts.error());
    }
    return facts.installed(pkg.version()) ? Part.DONE : Part.WAITING;
  }

  /** Where the agent's config stands on its way back to what it had before the rollout. */
  private Part configBack(RolloutAgent entry, AgentFacts agent) {
    if (rollout.target == null) {
      return Part.DONE;
    }
    if (entry.previous == null) {
      return backToLocal(entry, agent);
    }
    return switch (agent.statusOf(entry.previous.sha256())) {
      case RemoteConfigStatuses_APPLIED -> Part.DONE;
      case RemoteConfigStatuses_FAILED -> Part.failed("its previous config " + entry.previous.label()
          + " failed too: " + agent.configError());
      default -> Part.WAITING;
    };
  }

  /** What a rolling-back agent has yet to do: its config's way back first, then its package's. */
  private String backGoal(RolloutAgent entry, boolean configBack) {
    if (rollout.target != null && (!configBack || rollout.plan.pkg() == null)) {
      return entry.previous == null ? "return to its local config, healthy,"
          : "report its previous config " + entry.previous.label() + " APPLIED and healthy";
    }
    return "return to " + rollout.plan.pkg().name() + "@" + entry.previousPackage + ", healthy,";
  }

  /** Where the agent's package stands on its way back to the version it had before the rollout. */
  private Part packageBack(RolloutAgent entry, AgentFacts agent) {
    PackageTarget pkg = rollout.plan.pkg();
    if (pkg == null) {
      return Part.DONE;
    }
    PackageFacts facts = agent.packageFacts(pkg.name());
    if (facts.installed(entry.previousPackage)) {
      return Part.DONE;
    }
    return facts.failed(entry.previousPackage) ? Part.failed("its previous package " + pkg.name() + "@"
        + entry.previousPackage + " failed to install too: " + facts.error()) : Part.WAITING;
  }

  /** An agent removed from the inventory while the rollout held it can report nothing more: it ends as it stood. */
  private void gone(Steps steps, RolloutAgent entry, long now) {
    String why = "removed from the inventory during the rollout";
    switch (entry.progress) {
      case APPLYING, BAKING -> move(steps, entry, AgentProgress.FAILED, now, why);
      case ROLLING_BACK -> move(steps, entry, AgentProgress.ROLLBACK_FAILED, now, why);
      default -> { }
    }
  }

  /**
   * An agent the server had given no config before the rollout goes back to its local one. One that
   * refused the version went back by itself (its supervisor reverts): it is done once healthy. One
   * that runs the version is told by the server to drop its remote config, and is done when it
   * reports that APPLIED and healthy; what it reports is recorded as it is.
   */
  private Part backToLocal(RolloutAgent entry, AgentFacts agent) {
    if (agent.statusOf(rollout.target.sha256()) == RemoteConfigStatuses.RemoteConfigStatuses_FAILED) {
      return new Part(true, null, (entry.message == null ? "reported FAILED: " + agent.configError() : entry.message)
          + "; back on its local config");
    }
    return switch (agent.statusOf(ConfigVersion.LOCAL_CONFIG_SHA256)) {
      case RemoteConfigStatuses_APPLIED -> new Part(true, null, "told to drop the remote config; runs its local config");
      case RemoteConfigStatuses_FAILED -> Part.failed("could not drop the remote config: " + agent.configError());
      default -> Part.WAITING;
    };
  }

  /**
   * An agent of a first rollout that, a whole apply timeout into the rollback, is healthy and has
   * reported no remote config at all: the version never reached it, so there is nothing to drop, and
   * it says so only by saying nothing.
   */
  private boolean neverLeftItsLocalConfig(RolloutAgent entry, AgentFacts agent) {
    return rollout.target != null && entry.previous == null && agent.connected() && agent.healthy()
        && agent.reportedHash().isEmpty();
  }

  /** The wave gate: the next wave, success, or a rollback when the budget is spent. */
  private void gate(Steps steps, Fleet fleet, long now) {
    if (rollout.state.finished()) {
      return;
    }
    if (rollout.state == RolloutState.ROLLING_BACK) {
      long left = rollout.agents.values().stream().filter(a -> a.progress == AgentProgress.ROLLING_BACK).count();
      if (left == 0) {
        long stuck = rollout.agents.values().stream().filter(a -> a.progress == AgentProgress.ROLLBACK_FAILED).count();
        finish(steps, stuck == 0 ? RolloutState.ROLLED_BACK : RolloutState.FAILED, stuck == 0 ? rollout.reason
            : rollout.reason + "; " + stuck + " agents could not be returned to their previous " + carries(), now);
      }
      return;
    }
    List<RolloutAgent> wave = rollout.wave(rollout.currentWave);
    int failed = 0;
    int inFlight = 0;
    RolloutAgent firstFailure = null;
    for (RolloutAgent agent : wave) {
      if (agent.progress == AgentProgress.FAILED) {
        failed++;
        firstFailure = firstFailure == null ? agent : firstFailure;
      } else if (agent.progress.inFlight()) {
        inFlight++;
      }
    }
    int allowed = rollout.plan.budget().allowed(wave.size());
    if (failed > allowed) {
      rollBack(steps, fleet, now, "wave " + (rollout.currentWave + 1) + ": " + failed + " of " + wave.size()
          + " agents failed, over the failure budget of " + allowed + "; first: agent " + firstFailure.uid + " "
          + firstFailure.message);
    } else if (inFlight == 0 && rollout.state == RolloutState.RUNNING) {
      if (rollout.currentWave + 1 < rollout.waves.size()) {
        rollout.currentWave++;
        steps.rolloutChanged = true;
        startWave(steps, fleet, now);
      } else {
        succeed(steps, now);
      }
    }
  }

  private void succeed(Steps steps, long now) {
    long done = rollout.agents.values().stream().filter(a -> a.progress == AgentProgress.DONE).count();
    for (RolloutAgent agent : rollout.pending) {
      sendChange(steps, agent, "rollout " + rollout.id + " succeeded while it was offline");
      move(steps, agent, AgentProgress.PENDING, now, "offline during the rollout; " + rollout.label()
          + (rollout.plan.pkg() == null ? " is its desired config" : " is what it is meant to run")
          + " and goes out when it connects");
    }
    String pending = rollout.pending.isEmpty() ? ""
        : "; " + rollout.pending.size() + " offline agents get it when they connect";
    finish(steps, RolloutState.SUCCEEDED, done + " of " + (rollout.agents.size() - rollout.pending.size())
        + " agents run " + rollout.label() + pending + (rollout.reason == null ? "" : "; " + rollout.reason), now);
  }

  private void startWave(Steps steps, Fleet fleet, long now) {
    for (RolloutAgent entry : rollout.wave(rollout.currentWave)) {
      if (entry.progress != AgentProgress.WAITING) {
        continue;
      }
      Optional<AgentFacts> agent = fleet.apply(entry.uid);
      if (agent.isEmpty()) {
        move(steps, entry, AgentProgress.FAILED, now, "no longer known to the server");
        continue;
      }
      ConfigVersion desired = agent.get().desired();
      if (rollout.target != null && entry.previous == null && desired != null
          && !desired.label().equals(rollout.target.label())) {
        // A rollout stored by a build that took this at each wave's start: what it runs now, unless
        // that is the rollout's own version already (then it was decided here, and lost).
        entry.previous = desired;
      }
      if (reportsFailed(agent.get())) {
        entry.staleFailure = agent.get().configError();
      }
      move(steps, entry, AgentProgress.APPLYING, now, null);
      sendChange(steps, entry, "rollout " + rollout.id + " wave " + (rollout.currentWave + 1));
      evaluate(steps, entry, fleet, now);
    }
  }

  private void rollBack(Steps steps, Fleet fleet, long now, String reason) {
    setState(steps, RolloutState.ROLLING_BACK, reason);
    leavePending(steps, now, "offline during the rollout, which rolled back; keeps its " + carries());
    for (RolloutAgent entry : rollout.agents.values()) {
      if (!entry.progress.touched()) {
        continue;
      }
      boolean reported = entry.progress == AgentProgress.BAKING || entry.progress == AgentProgress.DONE;
      move(steps, entry, AgentProgress.ROLLING_BACK, now, entry.message);
      sendBack(steps, entry, "rollback of rollout " + rollout.id);
      if (!reported && neverReached(entry, fleet)) {
        move(steps, entry, AgentProgress.ROLLED_BACK, now, entry.message + "; what it had is what the server"
            + " wants for it again, and goes out when it connects");
        continue;
      }
      evaluate(steps, entry, fleet, now);
    }
  }

  /** Sends the agent back to what it had before the rollout: its config version (or local config), its package. */
  private void sendBack(Steps steps, RolloutAgent entry, String why) {
    if (rollout.target != null && entry.previous != null) {
      steps.send(entry.uid, entry.previous, why);
    } else if (rollout.target != null) {
      steps.returnToLocal(entry.uid, why);
    }
    if (rollout.plan.pkg() != null) {
      steps.offer(entry.uid, new PackageTarget(rollout.plan.pkg().name(), entry.previousPackage), why);
    }
  }

  /**
   * What an agent in flight is meant to run, sent again after a restart: the rollout's version when
   * the store does not say the server wants it, and, on the way back, what it had (rollbacks are
   * rare, and the facts do not tell a local config decided from none). A package is offered again
   * in any case: offers are not among the facts, and one offered twice is installed once.
   */
  private void sendAgain(Steps steps, RolloutAgent entry, AgentFacts agent) {
    String why = "rollout " + rollout.id + " resumed";
    if (entry.progress == AgentProgress.ROLLING_BACK) {
      sendBack(steps, entry, why);
      return;
    }
    readStale(entry, agent);
    if (rollout.target != null && (entry.staleFailure != null || agent.desired() == null
        || !agent.desired().label().equals(rollout.target.label()))) {
      // A stale refusal too: the version goes to the agent once more, as when its wave began.
      steps.send(entry.uid, rollout.target, why);
    }
    if (rollout.plan.pkg() != null) {
      steps.offer(entry.uid, rollout.plan.pkg(), why);
    }
  }

  /** Whether the agent reports the rollout's version FAILED. */
  private boolean reportsFailed(AgentFacts agent) {
    return rollout.target != null
        && agent.statusOf(rollout.target.sha256()) == RemoteConfigStatuses.RemoteConfigStatuses_FAILED;
  }

  /**
   * An offline agent of a rollout that includes them, not connected since its wave started: nothing
   * reached it. (Only for one that never reported the version: after a restart no agent is known to
   * have connected in its wave, and one that did may be away a moment.)
   */
  private boolean neverReached(RolloutAgent entry, Fleet fleet) {
    return rollout.plan.includesOffline() && !entry.connectedInWave
        && fleet.apply(entry.uid).map(agent -> !agent.connected()).orElse(false);
  }

  /** What the rollout changes on its agents, in words. */
  private String carries() {
    if (rollout.plan.pkg() == null) {
      return "config";
    }
    return rollout.target == null ? "package" : "config and package";
  }

  /** Sends the agent what the rollout changes: its config version, its package version, or both. */
  private void sendChange(Steps steps, RolloutAgent entry, String why) {
    if (rollout.target != null) {
      steps.send(entry.uid, rollout.target, why);
    }
    if (rollout.plan.pkg() != null) {
      steps.offer(entry.uid, rollout.plan.pkg(), why);
    }
  }

  private void leavePending(Steps steps, long now, String message) {
    for (RolloutAgent agent : rollout.pending) {
      move(steps, agent, AgentProgress.PENDING, now, message);
    }
  }

  private void move(Steps steps, RolloutAgent entry, AgentProgress progress, long now, String message) {
    entry.progress = progress;
    entry.since = now;
    entry.message = message;
    steps.record(entry);
  }

  private void finish(Steps steps, RolloutState state, String reason, long now) {
    setState(steps, state, reason);
    rollout.endedAt = now;
  }

  private void setState(Steps steps, RolloutState state, String reason) {
    rollout.state = state;
    rollout.reason = reason;
    steps.rolloutChanged = true;
  }
}

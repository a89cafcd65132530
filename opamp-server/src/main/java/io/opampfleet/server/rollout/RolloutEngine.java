package io.opampfleet.server.rollout;

import io.opampfleet.proto.AgentCapabilities;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.server.configs.ConfigVersion;
import io.opampfleet.server.inventory.Agent;
import io.opampfleet.server.inventory.Inventory;
import io.opampfleet.server.selector.LabelSelector;
import io.opampfleet.server.store.ColumnText;
import io.opampfleet.server.store.ConfigRepository;
import io.opampfleet.server.store.RolloutAgentRow;
import io.opampfleet.server.store.RolloutRepository;
import io.opampfleet.server.store.RolloutRepository.RolloutRow;
import io.opampfleet.server.store.WriteBehind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives rollouts wave by wave on one thread of its own: sends each wave's agents the new version,
 * watches their reports, opens the next wave when the gate passes, and when a wave spends its
 * failure budget sends every agent the rollout touched back to its previous config. Progress is
 * stored as it changes, so a restarted server carries on where it stopped.
 */
public final class RolloutEngine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RolloutEngine.class);
  private static final long SCAN_EVERY_MILLIS = 250;

  private final Inventory inventory;
  private final ConfigRepository configs;
  private final RolloutRepository repository;
  private final WriteBehind writes;
  private final ConfigSender sender;
  private final LongSupplier clock;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread t = new Thread(runnable, "rollouts");
    t.setDaemon(true);
    return t;
  });
  private final Set<String> changed = ConcurrentHashMap.newKeySet();
  private final AtomicLong ids = new AtomicLong();
  // Touched on the engine thread only.
  private final Map<Long, Rollout> active = new LinkedHashMap<>();
  private final Map<String, Rollout> byAgent = new HashMap<>();
  private final Map<Long, RolloutView> finished = new ConcurrentHashMap<>();
  private long lastScan;

  public RolloutEngine(Inventory inventory, ConfigRepository configs, RolloutRepository repository,
      WriteBehind writes, ConfigSender sender, LongSupplier clock) {
    this.inventory = inventory;
    this.configs = configs;
    this.repository = repository;
    this.writes = writes;
    this.sender = sender;
    this.clock = clock;
  }

  /** Loads stored rollouts, resumes the unfinished ones, and starts watching. */
  public void start() {
    call(() -> {
      resume();
      return null;
    });
    inventory.onChange(agent -> changed.add(agent.uid()));
    thread.scheduleWithFixedDelay(this::tick, 25, 25, TimeUnit.MILLISECONDS);
  }

  public RolloutView create(RolloutPlan plan, String createdBy) {
    ConfigVersion target = configs.version(plan.configName(), plan.version()).orElseThrow(() -> new RolloutException(
        RolloutException.Kind.NOT_FOUND, "config " + plan.configName() + "@" + plan.version()
        + " does not exist; create the version first"));
    return call(() -> begin(plan, target, createdBy));
  }

  public RolloutView pause(long id, String who) {
    return call(() -> control(id, RolloutState.RUNNING, RolloutState.PAUSED, "paused by " + who));
  }

  public RolloutView resume(long id, String who) {
    return call(() -> control(id, RolloutState.PAUSED, RolloutState.RUNNING, "resumed by " + who));
  }

  public RolloutView abort(long id, String who) {
    return call(() -> {
      Rollout rollout = activeRollout(id);
      finish(rollout, RolloutState.ABORTED, "aborted by " + who + " in wave " + (rollout.currentWave + 1)
          + "; agents keep the config they have now");
      return finished.get(id);
    });
  }

  public Optional<RolloutView> view(long id) {
    RolloutView done = finished.get(id);
    if (done != null) {
      return Optional.of(done);
    }
    return call(() -> Optional.ofNullable(active.get(id)).map(r -> r.view(100))
        .or(() -> Optional.ofNullable(finished.get(id))));
  }

  /** All rollouts, newest first. */
  public List<RolloutView> list() {
    List<RolloutView> all = new ArrayList<>(call(() -> active.values().stream().map(r -> r.view(10)).toList()));
    all.addAll(finished.values());
    all.sort(Comparator.comparingLong(RolloutView::id).reversed());
    return all;
  }

  /** The active rollout an agent is in, if any. */
  public Optional<Long> rolloutOf(String uid) {
    return call(() -> Optional.ofNullable(byAgent.get(uid)).map(r -> r.id));
  }

  @Override
  public void close() {
    thread.shutdown();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private <T> T call(java.util.concurrent.Callable<T> work) {
    try {
      return thread.submit(work).get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the rollout engine did not answer within 30 s", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the rollout engine", e);
    }
  }

  private RolloutView begin(RolloutPlan plan, ConfigVersion target, String createdBy) {
    List<Agent> matched = inventory.matching(plan.selector());
    List<Agent> targets = new ArrayList<>();
    int skipped = 0;
    for (Agent agent : matched) {
      if (!agent.can(AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig_VALUE)) {
        skipped++;
        continue;
      }
      Rollout other = byAgent.get(agent.uid());
      if (other != null) {
        throw new RolloutException(RolloutException.Kind.CONFLICT, "agent " + agent.uid() + " is in rollout "
            + other.id + ", which has not ended; wait for it, or abort it, before starting another over the same agents");
      }
      targets.add(agent);
    }
    if (targets.isEmpty()) {
      throw new RolloutException(RolloutException.Kind.INVALID, "the selector '" + plan.selector()
          + "' matches no agent that accepts remote config" + (skipped > 0 ? " (" + skipped + " do not)" : "")
          + "; check it with GET /api/v1/agents?selector=...");
    }
    targets.sort(Comparator.comparing(Agent::uid));
    long now = clock.getAsLong();
    String reason = skipped > 0 ? skipped + " matched agents do not accept remote config and are left out" : null;
    Rollout rollout = new Rollout(ids.incrementAndGet(), plan, target, createdBy, now, RolloutState.PENDING, reason,
        0, 0);
    List<Integer> sizes = plan.waves().sizes(targets.size());
    int next = 0;
    for (int wave = 0; wave < sizes.size(); wave++) {
      for (int i = 0; i < sizes.get(wave); i++) {
        rollout.add(new RolloutAgent(targets.get(next++).uid(), wave, AgentProgress.WAITING, null, now, null));
      }
    }
    repository.create(header(rollout), rollout.agents.values().stream().map(a -> a.row(rollout.id)).toList());
    active.put(rollout.id, rollout);
    rollout.agents.keySet().forEach(uid -> byAgent.put(uid, rollout));
    log.info("rollout {}: {} to {} agents in {} waves, started by {}", rollout.id, target.label(), targets.size(),
        sizes.size(), createdBy);
    change(rollout, RolloutState.RUNNING, reason, 0, 0);
    startWave(rollout, now);
    return rollout.view(100);
  }

  private RolloutView control(long id, RolloutState from, RolloutState to, String reason) {
    Rollout rollout = activeRollout(id);
    if (rollout.state != from) {
      throw new RolloutException(RolloutException.Kind.CONFLICT, "rollout " + id + " is " + rollout.state
          + ", not " + from + "; nothing to do");
    }
    change(rollout, to, reason, rollout.currentWave, rollout.endedAt);
    log.info("rollout {}: {}", id, reason);
    return rollout.view(100);
  }

  private Rollout activeRollout(long id) {
    Rollout rollout = active.get(id);
    if (rollout != null) {
      return rollout;
    }
    if (finished.containsKey(id)) {
      throw new RolloutException(RolloutException.Kind.CONFLICT, "rollout " + id + " has already ended ("
          + finished.get(id).state() + ")");
    }
    throw new RolloutException(RolloutException.Kind.NOT_FOUND, "there is no rollout " + id);
  }

  private void tick() {
    try {
      long now = clock.getAsLong();
      boolean scan = now - lastScan >= SCAN_EVERY_MILLIS;
      Map<Rollout, Boolean> touched = new LinkedHashMap<>();
      if (!changed.isEmpty()) {
        for (String uid : List.copyOf(changed)) {
          changed.remove(uid);
          Rollout rollout = byAgent.get(uid);
          if (rollout != null) {
            evaluate(rollout, rollout.agents.get(uid), now);
            touched.put(rollout, true);
          }
        }
      }
      if (scan) {
        lastScan = now;
        for (Rollout rollout : active.values()) {
          for (RolloutAgent agent : rollout.wave(rollout.currentWave)) {
            evaluate(rollout, agent, now);
          }
          if (rollout.state == RolloutState.ROLLING_BACK) {
            rollout.agents.values().forEach(agent -> evaluate(rollout, agent, now));
          }
          touched.put(rollout, true);
        }
      }
      for (Rollout rollout : touched.keySet()) {
        if (active.containsKey(rollout.id)) {
          advance(rollout, now);
        }
      }
    } catch (RuntimeException e) {
      log.error("rollouts: a step failed and will be tried again: {}", e.toString(), e);
    }
  }

  /** Moves one agent on from what it reported, or from the clock. */
  private void evaluate(Rollout rollout, RolloutAgent entry, long now) {
    if (entry == null) {
      return;
    }
    Optional<Agent> found = inventory.find(entry.uid);
    if (found.isEmpty()) {
      return;
    }
    Agent agent = found.get();
    Duration timeout = rollout.plan.applyTimeout();
    switch (entry.progress) {
      case APPLYING -> {
        RemoteConfigStatuses status = agent.statusOf(rollout.target);
        if (status == RemoteConfigStatuses.RemoteConfigStatuses_APPLIED && agent.healthy()) {
          move(rollout, entry, rollout.plan.bake().isZero() ? AgentProgress.DONE : AgentProgress.BAKING, now, null);
        } else if (status == RemoteConfigStatuses.RemoteConfigStatuses_FAILED) {
          move(rollout, entry, AgentProgress.FAILED, now, "reported FAILED: " + agent.remoteConfigError());
        } else if (now - entry.since > timeout.toMillis()) {
          move(rollout, entry, AgentProgress.FAILED, now, (agent.connected() ? "" : "offline; ")
              + "did not report the config APPLIED and healthy within " + timeout.toSeconds() + " s"
              + (status == RemoteConfigStatuses.RemoteConfigStatuses_APPLIED ? ": unhealthy: " + agent.healthError() : ""));
        }
      }
      case BAKING -> {
        if (agent.statusOf(rollout.target) == RemoteConfigStatuses.RemoteConfigStatuses_FAILED) {
          move(rollout, entry, AgentProgress.FAILED, now, "reported FAILED: " + agent.remoteConfigError());
        } else if (!agent.connected()) {
          // Away is not unhealthy: wait for it (a server restart drops everyone), within the timeout.
          entry.awaySince = entry.awaySince == 0 ? now : entry.awaySince;
          if (now - entry.awaySince > timeout.toMillis()) {
            move(rollout, entry, AgentProgress.FAILED, now, "offline for longer than " + timeout.toSeconds()
                + " s during the bake time");
          }
        } else if (entry.awaySince != 0) {
          entry.awaySince = 0;
          entry.since = now;
        } else if (!agent.healthy()) {
          move(rollout, entry, AgentProgress.FAILED, now, "turned unhealthy during the bake time: " + agent.healthError());
        } else if (now - entry.since >= rollout.plan.bake().toMillis()) {
          move(rollout, entry, AgentProgress.DONE, now, null);
        }
      }
      case ROLLING_BACK -> {
        RemoteConfigStatuses status = agent.statusOf(entry.previous);
        if (status == RemoteConfigStatuses.RemoteConfigStatuses_APPLIED) {
          move(rollout, entry, AgentProgress.ROLLED_BACK, now, entry.message);
        } else if (status == RemoteConfigStatuses.RemoteConfigStatuses_FAILED) {
          move(rollout, entry, AgentProgress.ROLLBACK_FAILED, now,
              "its previous config " + entry.previous.label() + " failed too: " + agent.remoteConfigError());
        } else if (now - entry.since > timeout.toMillis()) {
          move(rollout, entry, AgentProgress.ROLLBACK_FAILED, now, "did not report its previous config "
              + entry.previous.label() + " APPLIED within " + timeout.toSeconds() + " s");
        }
      }
      default -> { }
    }
  }

  /** Applies the wave gate: next wave, success, or rollback when the budget is spent. */
  private void advance(Rollout rollout, long now) {
    if (rollout.state == RolloutState.ROLLING_BACK) {
      long left = rollout.agents.values().stream().filter(a -> a.progress == AgentProgress.ROLLING_BACK).count();
      if (left == 0) {
        long stuck = rollout.agents.values().stream().filter(a -> a.progress == AgentProgress.ROLLBACK_FAILED).count();
        if (stuck == 0) {
          finish(rollout, RolloutState.ROLLED_BACK, rollout.reason);
        } else {
          finish(rollout, RolloutState.FAILED, rollout.reason + "; " + stuck
              + " agents could not be returned to their previous config");
        }
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
      rollBack(rollout, now, "wave " + (rollout.currentWave + 1) + ": " + failed + " of " + wave.size()
          + " agents failed, over the failure budget of " + allowed + "; first: agent " + firstFailure.uid + " "
          + firstFailure.message);
    } else if (inFlight == 0 && rollout.state == RolloutState.RUNNING) {
      if (rollout.currentWave + 1 < rollout.waves.size()) {
        change(rollout, rollout.state, rollout.reason, rollout.currentWave + 1, rollout.endedAt);
        startWave(rollout, now);
      } else {
        long done = rollout.agents.values().stream().filter(a -> a.progress == AgentProgress.DONE).count();
        finish(rollout, RolloutState.SUCCEEDED, done + " of " + rollout.agents.size() + " agents run "
            + rollout.target.label() + (rollout.reason == null ? "" : "; " + rollout.reason));
      }
    }
  }

  private void startWave(Rollout rollout, long now) {
    long waiting = rollout.wave(rollout.currentWave).stream().filter(a -> a.progress == AgentProgress.WAITING).count();
    if (waiting == 0) {
      return;
    }
    log.info("rollout {}: wave {} of {} starts with {} agents", rollout.id, rollout.currentWave + 1,
        rollout.waves.size(), waiting);
    for (RolloutAgent entry : rollout.wave(rollout.currentWave)) {
      if (entry.progress != AgentProgress.WAITING) {
        continue;
      }
      Optional<Agent> agent = inventory.find(entry.uid);
      if (agent.isEmpty()) {
        move(rollout, entry, AgentProgress.FAILED, now, "no longer known to the server");
        continue;
      }
      entry.previous = agent.get().desired();
      move(rollout, entry, AgentProgress.APPLYING, now, null);
      sender.send(agent.get(), rollout.target, "rollout " + rollout.id + " wave " + (rollout.currentWave + 1), now);
      evaluate(rollout, entry, now);
    }
  }

  private void rollBack(Rollout rollout, long now, String reason) {
    change(rollout, RolloutState.ROLLING_BACK, reason, rollout.currentWave, rollout.endedAt);
    log.warn("rollout {}: rolling back: {}", rollout.id, reason);
    for (RolloutAgent entry : rollout.agents.values()) {
      if (!entry.progress.touched()) {
        continue;
      }
      Optional<Agent> agent = inventory.find(entry.uid);
      if (entry.previous == null || agent.isEmpty()) {
        move(rollout, entry, AgentProgress.ROLLBACK_FAILED, now,
            "the server had given this agent no config before the rollout; there is none to return to");
        continue;
      }
      move(rollout, entry, AgentProgress.ROLLING_BACK, now, entry.message);
      sender.send(agent.get(), entry.previous, "rollback of rollout " + rollout.id, now);
      evaluate(rollout, entry, now);
    }
  }

  private void move(Rollout rollout, RolloutAgent entry, AgentProgress progress, long now, String message) {
    entry.progress = progress;
    entry.since = now;
    entry.message = message;
    writes.rolloutAgent(entry.row(rollout.id));
  }

  private void finish(Rollout rollout, RolloutState state, String reason) {
    change(rollout, state, reason, rollout.currentWave, clock.getAsLong());
    active.remove(rollout.id);
    rollout.agents.keySet().forEach(uid -> byAgent.remove(uid, rollout));
    finished.put(rollout.id, rollout.view(100));
    log.info("rollout {}: {}: {}", rollout.id, state, reason);
  }

  private RolloutRow header(Rollout rollout) {
    return header(rollout, rollout.state, rollout.reason, rollout.currentWave, rollout.endedAt);
  }

  private RolloutRow header(Rollout rollout, RolloutState state, String reason, int currentWave, long endedAt) {
    RolloutPlan plan = rollout.plan;
    return new RolloutRow(rollout.id, plan.selector().toString(), plan.configName(), plan.version(),
        plan.waves().toString(), plan.bake().toMillis(), plan.budget().toString(), plan.applyTimeout().toMillis(),
        state.name(), ColumnText.fit(reason, 2000), currentWave, rollout.createdBy, rollout.createdAt, endedAt);
  }

  /** Stores the rollout's new state, then takes it: a store that fails leaves memory as stored. */
  private void change(Rollout rollout, RolloutState state, String reason, int currentWave, long endedAt) {
    repository.update(header(rollout, state, reason, currentWave, endedAt));
    rollout.state = state;
    rollout.reason = ColumnText.fit(reason, 2000);
    rollout.currentWave = currentWave;
    rollout.endedAt = endedAt;
  }

  /** Rebuilds every stored rollout; unfinished ones carry on, their clocks restarted from now. */
  private void resume() {
    long now = clock.getAsLong();
    Map<String, ConfigVersion> versions = new HashMap<>();
    for (RolloutRow row : repository.all()) {
      ids.accumulateAndGet(row.id(), Math::max);
      ConfigVersion target = lookup(versions, row.configName(), row.version());
      RolloutPlan plan = new RolloutPlan(LabelSelector.parse(row.selector()), row.configName(), row.version(),
          WavePlan.parse(row.waves()), Duration.ofMillis(row.bakeMillis()), FailureBudget.parse(row.budget()),
          Duration.ofMillis(row.timeoutMillis()));
      Rollout rollout = new Rollout(row.id(), plan, target, row.createdBy(), row.createdAt(),
          RolloutState.valueOf(row.state()), row.reason(), row.currentWave(), row.endedAt());
      for (RolloutAgentRow agent : repository.agents(row.id())) {
        AgentProgress progress = AgentProgress.valueOf(agent.state());
        boolean running = progress.inFlight() || progress == AgentProgress.ROLLING_BACK;
        rollout.add(new RolloutAgent(agent.uid(), agent.wave(), progress,
            agent.previousConfig() == null ? null : lookup(versions, agent.previousConfig(), agent.previousVersion()),
            running ? now : agent.since(), agent.message()));
      }
      if (rollout.state.finished()) {
        finished.put(rollout.id, rollout.view(100));
      } else {
        active.put(rollout.id, rollout);
        rollout.agents.keySet().forEach(uid -> byAgent.put(uid, rollout));
        log.info("rollout {}: resumed in wave {} ({})", rollout.id, rollout.currentWave + 1, rollout.state);
        if (rollout.state == RolloutState.PENDING) {
          change(rollout, RolloutState.RUNNING, rollout.reason, 0, 0);
        }
        if (rollout.state == RolloutState.RUNNING || rollout.state == RolloutState.PAUSED) {
          // The server may have stopped between storing the wave and its agents' first step.
          startWave(rollout, now);
        }
      }
    }
  }

  private ConfigVersion lookup(Map<String, ConfigVersion> cache, String name, int version) {
    return cache.computeIfAbsent(name + "@" + version, key -> configs.version(name, version).orElseThrow(
        () -> new IllegalStateException("the store lacks config " + key + ", which a rollout refers to")));
  }
}

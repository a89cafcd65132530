package io.opampfleet.server.internal.rollout;

import io.opampfleet.netty.Backoff;
import io.opampfleet.proto.AgentCapabilities;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.server.internal.DaemonThreads;
import io.opampfleet.server.internal.configs.ComponentCheck;
import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.hosting.PackageOffers;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.AgentEvent;
import io.opampfleet.server.internal.inventory.AgentSnapshot;
import io.opampfleet.server.internal.inventory.Fleet;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.packages.HostedPackage;
import io.opampfleet.server.internal.selector.LabelSelector;
import io.opampfleet.server.internal.store.ColumnText;
import io.opampfleet.server.internal.store.ConfigRepository;
import io.opampfleet.server.internal.store.PackageRepository;
import io.opampfleet.server.internal.store.RolloutAgentRow;
import io.opampfleet.server.internal.store.RolloutRepository.RolloutRow;
import io.opampfleet.server.internal.store.RolloutRepository;
import io.opampfleet.server.internal.store.StoreException;
import io.opampfleet.server.internal.store.WriteBehind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the rollout machines on one thread of its own: feeds each {@link RolloutMachine} its
 * agents' reports and the time, and carries out its steps (desired configs, progress records, the
 * rollout's state in the store). Of the servers sharing the store, one drives each rollout: the one
 * that started it, until it is gone; then another takes it over and carries on where the store says
 * it stopped, as a restarted server does. An operator's pause, resume or abort asked of a server that
 * does not drive the rollout is left in the store for the one that does. A rollout whose state the
 * store keeps refusing ends FAILED after a few backed-off tries, and the others keep moving.
 */
public final class RolloutEngine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RolloutEngine.class);
  private static final long SCAN_EVERY_MILLIS = 250;
  /** A view looks at every agent of its rollout: made at most this often, and whenever the rollout's state changes. */
  private static final long PUBLISH_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final int STORE_TRIES = 5;
  /** Between tries of a state the store refused: 1, 2, 4, 8 s. */
  private static final Backoff STORE_RETRIES = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(8), 2, 0);
  private static final long OUTAGE_RETRY_MILLIS = 5_000;
  /** How often the engine renews what it drives, takes over rollouts left without a driver, and reads requests. */
  private static final long DRIVE_EVERY_MILLIS = 1_000;
  /** How long an operator's request asked here waits for the driving server to carry it out. */
  private static final long REQUEST_WAIT_MILLIS = 5_000;
  private static final long STORED_VIEW_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Inventory inventory;
  private final Fleet wholeFleet;
  private final ConfigRepository configs;
  private final RolloutRepository repository;
  private final WriteBehind writes;
  private final ConfigSender sender;
  private final PackageRepository packages;
  private final PackageOffers offers;
  private final LongSupplier clock;
  private final Replicas replicas;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
      DaemonThreads.named("rollouts"));
  private final Set<String> changed = ConcurrentHashMap.newKeySet();
  private final RolloutMachine.Fleet fleet;
  // Touched on the engine thread only.
  private final Map<Long, RolloutMachine> active = new LinkedHashMap<>();
  // Changed on the engine's thread only; read by others (what the store's followers keep here).
  private final Map<String, RolloutMachine> byAgent = new ConcurrentHashMap<>();
  private final Map<Long, StoreRetry> unstored = new HashMap<>();
  /** Views of ended rollouts, which no longer change, wherever they were driven. */
  private final Map<Long, RolloutView> finished = new ConcurrentHashMap<>();
  /**
   * Views of the rollouts driven here as a step left them, each once the progress it counts is
   * stored: the API reads them without waiting for the engine's thread, which a wave of tens of
   * thousands of agents keeps busy, and never shows an agent done that a restart would not find done.
   */
  private final Map<Long, Published> current = new ConcurrentHashMap<>();
  /** When the last view of each rollout in {@link #current} was made (engine thread). */
  private final Map<Long, Long> publishedAt = new HashMap<>();
  /** Rollouts whose end the store refused: over for this process, not taken up again (engine thread). */
  private final Set<Long> endedHere = new HashSet<>();
  /** Views of unfinished rollouts driven by other servers, as last read from the store. */
  private final Map<Long, StoredView> storedViews = new ConcurrentHashMap<>();
  private long lastScan;
  private long lastDrive;
  /** The presence lapses this server had when it took up the rollouts it drives. */
  private long lapsesSeen;
  /** The last progress written: on close, what this server drives is let go only once it is stored. */
  private volatile CompletableFuture<Void> lastProgress = ALL_STORED;

  /** The progress of a rollout read from the store, or stored with it in one transaction. */
  private static final CompletableFuture<Void> ALL_STORED = CompletableFuture.completedFuture(null);

  /**
   * A rollout whose state the store has not taken yet: tried again at {@code nextAt}, once {@code
   * behind}, the progress written before the state changed, is stored.
   */
  private record StoreRetry(int tries, long nextAt, CompletableFuture<Void> behind) {}

  /** A rollout's view and when it was made: a view whose progress was stored late never replaces a newer one. */
  private record Published(RolloutView view, long madeAt) {
    Published newer(Published other) {
      return other.madeAt > madeAt ? other : this;
    }
  }

  public RolloutEngine(Inventory inventory, Fleet wholeFleet, ConfigRepository configs, RolloutRepository repository,
      WriteBehind writes, ConfigSender sender, PackageRepository packages, PackageOffers offers, LongSupplier clock,
      Replicas replicas) {
    this.inventory = inventory;
    this.wholeFleet = wholeFleet;
    this.configs = configs;
    this.repository = repository;
    this.writes = writes;
    this.sender = sender;
    this.packages = packages;
    this.offers = offers;
    this.clock = clock;
    this.replicas = replicas;
    this.fleet = uid -> inventory.find(uid).map(RolloutEngine::facts);
  }

  /** Takes up the unfinished rollouts no other server drives, and starts watching. */
  public void start() {
    call(() -> {
      drive(clock.getAsLong());
      return null;
    });
    inventory.onChange(agent -> changed.add(agent.uid()));
    thread.scheduleWithFixedDelay(this::tick, 25, 25, TimeUnit.MILLISECONDS);
  }

  /**
   * Starts a rollout. Matched agents that lack components the config names are left out, or, with
   * {@code refuseIncompatible}, the rollout is refused naming them. With a package, each agent goes
   * back, on a rollback, to the hosted version it was offered or has, else to {@code packageFrom}
   * (the hosted version agents run that report none; null when not given); agents with none are left out.
   */
  public RolloutView create(RolloutPlan plan, String packageFrom, String createdBy, boolean refuseIncompatible) {
    ConfigVersion target = target(plan);
    validatePackages(plan, packageFrom);
    return call(() -> begin(plan, target, packageFrom, createdBy, refuseIncompatible));
  }

  private ConfigVersion target(RolloutPlan plan) {
    return plan.configName() == null ? null : configs.version(plan.configName(), plan.version())
        .orElseThrow(() -> new RolloutException(RolloutException.Kind.NOT_FOUND, "config " + plan.configName() + "@"
            + plan.version() + " does not exist; create the version first"));
  }

  private void validatePackages(RolloutPlan plan, String packageFrom) {
    if (plan.pkg() != null) {
      hosted(plan.pkg().name(), plan.pkg().version());
      if (packageFrom != null) {
        hosted(plan.pkg().name(), packageFrom);
      }
    }
  }

  /**
   * What {@link #create} would do now, without doing it: the agents by wave, those pending, and
   * those it leaves out and why; or why it would be refused.
   */
  public RolloutPreview preview(RolloutPlan plan, String packageFrom, boolean refuseIncompatible) {
    try {
      ConfigVersion target = target(plan);
      validatePackages(plan, packageFrom);
      Rollout rollout = call(() -> planned(0, plan, target, packageFrom, "preview", refuseIncompatible));
      return RolloutPreview.of(rollout);
    } catch (RolloutException refused) {
      return RolloutPreview.refused(refused.getMessage());
    }
  }

  private HostedPackage hosted(String name, String version) {
    return packages.find(name, version).orElseThrow(() -> new RolloutException(RolloutException.Kind.NOT_FOUND,
        "there is no package " + name + "@" + version + "; upload it with POST /api/v1/packages/file first"));
  }

  /** Whether a rollout driven here holds the agent: its reports are wanted here, wherever it is connected. */
  public boolean drives(String uid) {
    return byAgent.containsKey(uid);
  }

  /**
   * An operator's offer of a package version to one agent, decided on the engine's thread.
   *
   * @return false when the agent does not accept packages
   * @throws RolloutException CONFLICT when the agent is in a rollout that has not ended
   */
  public boolean offer(Agent agent, HostedPackage hosted, String why) {
    return call(() -> {
      refuseDuringRollout(agent, "offering a package");
      if (!agent.can(AgentCapabilities.AgentCapabilities_AcceptsPackages_VALUE)) {
        return false;
      }
      sender.offer(agent, hosted, why, clock.getAsLong());
      return true;
    });
  }

  public RolloutView pause(long id, String who) {
    return control(id, Control.PAUSE, who);
  }

  public RolloutView resume(long id, String who) {
    return control(id, Control.RESUME, who);
  }

  public RolloutView abort(long id, String who) {
    return control(id, Control.ABORT, who);
  }

  public Optional<RolloutView> view(long id) {
    RolloutView done = finished.get(id);
    if (done != null) {
      return Optional.of(done);
    }
    Published driven = current.get(id);
    if (driven != null) {
      return Optional.of(driven.view());
    }
    // It may have ended since the first look.
    return Optional.ofNullable(finished.get(id)).or(() -> repository.find(id).map(this::stored));
  }

  /** All rollouts, newest first: those driven here as they are now, the others as the store has them. */
  public List<RolloutView> list() {
    // One ending meanwhile is in both: listed once, ended.
    Map<Long, RolloutView> all = new HashMap<>();
    current.forEach((id, published) -> all.put(id, published.view()));
    all.putAll(finished);
    for (RolloutRow row : repository.all()) {
      if (!all.containsKey(row.id())) {
        all.put(row.id(), stored(row));
      }
    }
    List<RolloutView> newestFirst = new ArrayList<>(all.values());
    newestFirst.sort(Comparator.comparingLong(RolloutView::id).reversed());
    return newestFirst;
  }

  /**
   * A rollout as the store has it: an ended one is kept (it no longer changes), one driven
   * elsewhere is read again at most once a second (pages and streams ask often).
   */
  private RolloutView stored(RolloutRow row) {
    StoredView recent = storedViews.get(row.id());
    if (recent != null && System.nanoTime() - recent.readAt() < STORED_VIEW_NANOS) {
      return recent.view();
    }
    Rollout rollout = rebuild(row, new HashMap<>(), new ArrayList<>());
    RolloutView view = rollout.view(100);
    if (rollout.state.finished()) {
      finished.put(rollout.id, view);
      storedViews.remove(rollout.id);
    } else {
      storedViews.put(rollout.id, new StoredView(view, System.nanoTime()));
    }
    return view;
  }

  private record StoredView(RolloutView view, long readAt) {}

  /**
   * Each rollout the agent was part of, newest first: the version offered, how it ended for the
   * agent and why, and what it went back to when the rollout rolled back.
   */
  public List<AgentAttempt> attempts(String uid) {
    return repository.attempts(uid).stream().map(stored -> {
      RolloutAgentRow row = stored.progress();
      AgentProgress result = AgentProgress.valueOf(row.state());
      List<String> offered = new ArrayList<>();
      List<String> wentBackTo = new ArrayList<>();
      if (stored.configName() != null) {
        offered.add(stored.configName() + "@" + stored.version());
        wentBackTo.add(row.previousConfig() == null ? "its local config" : row.previousConfig() + "@" + row.previousVersion());
      }
      if (stored.packageName() != null) {
        offered.add("package " + stored.packageName() + "@" + stored.packageVersion());
        wentBackTo.add("package " + stored.packageName() + "@" + row.previousPackage());
      }
      return new AgentAttempt(row.rolloutId(), String.join(" with ", offered), row.wave() + 1, result, row.message(),
          row.since(), result == AgentProgress.ROLLED_BACK ? String.join(" with ", wentBackTo) : null);
    }).toList();
  }

  /**
   * A push: makes the version the agent's desired config, decided on the engine's thread so that no
   * rollout can start or move over the agent at the same moment.
   *
   * @throws RolloutException CONFLICT when the agent is in a rollout that has not ended
   */
  public void push(Agent agent, ConfigVersion version, String why) {
    // On the engine's thread, where creations are too (so the two never wait for each other), and
    // under the lock creations take on every server sharing the store, stored before it is let go:
    // a push and a rollout starting at the same moment on two servers cannot both win.
    call(() -> {
      repository.whileNoRolloutStarts(() -> {
        refuseDuringRollout(agent, "pushing another config");
        sender.send(agent, version, why, clock.getAsLong());
        if (repository.shared()) {
          awaitStored(writes.writtenSoFar());
        }
      });
      return null;
    });
  }

  private static void awaitStored(CompletableFuture<Void> stored) {
    try {
      stored.get(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the push was stored", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the push was not stored: " + e, e);
    }
  }

  /** @throws RolloutException CONFLICT when the agent is in a rollout that has not ended, driven here or elsewhere */
  private void refuseDuringRollout(Agent agent, String before) {
    Optional<Long> rollout = Optional.ofNullable(byAgent.get(agent.uid())).map(machine -> machine.rollout().id)
        .or(() -> repository.unfinishedRolloutOf(agent.uid()));
    if (rollout.isPresent()) {
      throw inRollout(agent.uid(), rollout.get(), before);
    }
  }

  private static final String ANOTHER_ROLLOUT = "starting another over the same agents";

  private static RolloutException inRollout(String uid, long rollout, String before) {
    return new RolloutException(RolloutException.Kind.CONFLICT, "agent " + uid + " is in rollout " + rollout
        + ", which has not ended; wait for it, or abort it, before " + before);
  }

  /**
   * A desired config another server sharing the store decided for an agent connected here, taken
   * on the engine's thread like every decision. {@code seen} is what this server wanted for the agent
   * when the store was read: if that changed since, or a decision made here is not in the store yet,
   * the store was read too early and this server's own decision stands. An agent a rollout driven
   * here holds keeps what the rollout decides.
   */
  public void adopt(Agent agent, DesiredState seen, ConfigVersion version, boolean local) {
    later(() -> {
      if (!byAgent.containsKey(agent.uid()) && !writes.desiredUnwritten(agent.uid())
          && DesiredState.of(agent).equals(seen)) {
        sender.adopt(agent, version, local);
      }
    });
  }

  /** What a server wants for an agent: a version's label (null for none), or its local config. */
  public record DesiredState(String label, boolean local) {
    public static DesiredState of(Agent agent) {
      AgentSnapshot snapshot = agent.snapshot();
      return new DesiredState(snapshot.desired() == null ? null : snapshot.desired().label(), snapshot.desiresLocal());
    }
  }

  /** What an assignment did: how many agents it gave the version, and which it left out, and why. */
  public record Assigned(int applied, List<String> incompatible) {}

  /**
   * An assignment: makes the version the desired config of those agents no rollout holds and that
   * have the components it names, decided on the engine's thread like every rollout step.
   */
  public Assigned assign(Collection<Agent> agents, ConfigVersion version, String why) {
    // Agents in rollouts another server drives are left to those, as those driven here are.
    Set<String> elsewhere = repository.inUnfinishedRollouts();
    return call(() -> {
      long now = clock.getAsLong();
      int assigned = 0;
      List<String> incompatible = new ArrayList<>();
      for (Agent agent : agents) {
        if (byAgent.containsKey(agent.uid()) || elsewhere.contains(agent.uid())) {
          continue;
        }
        List<String> missing = ComponentCheck.missing(version.body(), agent.snapshot().availableComponents());
        if (missing.isEmpty()) {
          sender.send(agent, version, why, now);
          assigned++;
        } else {
          incompatible.add(ComponentCheck.lacking(agent.uid(), missing));
        }
      }
      return new Assigned(assigned, incompatible);
    });
  }

  /**
   * As {@link #assign}, for a new agent that has no config decided yet (still none when its turn
   * comes), without waiting: for agents' own threads, which must not block. An agent that lacks
   * components the version names is left out, with an event that says which.
   */
  public void assignSoon(Agent agent, ConfigVersion version, String why) {
    later(() -> {
      if (byAgent.containsKey(agent.uid()) || !agent.undecided()) {
        return;
      }
      long now = clock.getAsLong();
      List<String> missing = ComponentCheck.missing(version.body(), agent.snapshot().availableComponents());
      if (missing.isEmpty()) {
        sender.send(agent, version, why, now);
      } else {
        writes.event(new AgentEvent(agent.uid(), now, AgentEvent.Kind.INCOMPATIBLE, version.label() + " (" + why
            + ") not sent: it names components the agent lacks: " + String.join(", ", missing)));
      }
    });
  }


  /** Stops, and lets go of the rollouts driven here once their progress is stored, for another server to take over at once. */
  @Override
  public void close() {
    thread.shutdown();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
      lastProgress.get(5, TimeUnit.SECONDS);
      repository.release(replicas.name());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      log.warn("rollouts: the rollouts driven here were not let go ({}); another server takes them over once this"
          + " one's presence ends", e.toString());
    }
  }

  /** Runs the work on the engine's thread without waiting; a failure is logged, not lost in a future. */
  private void later(Runnable work) {
    thread.execute(() -> {
      try {
        work.run();
      } catch (RuntimeException e) {
        log.error("rollouts: a decision failed: {}", e.toString(), e);
      }
    });
  }

  private <T> T call(Callable<T> work) {
    try {
      return thread.submit(work).get(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
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

  /** What the machine may know of an agent now. */
  static AgentFacts facts(Agent agent) {
    AgentSnapshot snapshot = agent.snapshot();
    RemoteConfigStatus status = snapshot.remoteConfigStatus();
    Map<String, PackageFacts> packages = new HashMap<>();
    if (snapshot.packageStatuses() != null) {
      snapshot.packageStatuses().getPackagesMap().forEach((name, reported) -> packages.put(name, new PackageFacts(
          reported.getAgentHasVersion(), reported.getStatus(), reported.getServerOfferedVersion(),
          reported.getErrorMessage())));
    }
    return new AgentFacts(snapshot.connected(), snapshot.healthy(),
        status == null ? "" : HexFormat.of().formatHex(status.getLastRemoteConfigHash().toByteArray()),
        status == null ? RemoteConfigStatuses.RemoteConfigStatuses_UNSET : status.getStatus(),
        status == null ? "" : status.getErrorMessage(),
        snapshot.health() == null ? "" : snapshot.health().getLastError(), snapshot.desired(), packages);
  }

  /** Waves of the matched agents that are connected; those offline wait, pending. */
  private RolloutView begin(RolloutPlan plan, ConfigVersion target, String packageFrom, String createdBy,
      boolean refuseIncompatible) {
    Rollout rollout = planned(repository.nextId(), plan, target, packageFrom, createdBy, refuseIncompatible);
    // Started before it is stored, and stored before any config goes out: one transaction holds the
    // rollout as it begins and its first wave's agents on their way, each with what it ran before.
    RolloutMachine machine = new RolloutMachine(rollout);
    Steps first = machine.start(fleet, rollout.createdAt);
    Map<String, Long> busy = repository.create(header(rollout),
        rollout.agents.values().stream().map(a -> a.row(rollout.id)).toList(), replicas.name());
    if (!busy.isEmpty()) {
      Map.Entry<String, Long> taken = busy.entrySet().iterator().next();
      throw inRollout(taken.getKey(), taken.getValue(), ANOTHER_ROLLOUT);
    }
    active.put(rollout.id, machine);
    rollout.agents.keySet().forEach(uid -> byAgent.put(uid, machine));
    log.info("rollout {}: {} to {} agents in {} waves ({} offline, pending), started by {}", rollout.id,
        rollout.label(), rollout.agents.size() - rollout.pending.size(), rollout.waves.size(), rollout.pending.size(),
        createdBy);
    // Answered once stored: the first wave's configs go out on the engine's next turn, as handing tens
    // of thousands of them to their connections takes seconds. (Handed over a thousand a turn, with
    // reports looked at in between, the wave took a second longer at 18,000 agents on two cores.)
    Steps toCarry = first.stored(rollout.state);
    thread.execute(() -> {
      // Not step(): these sends were decided and stored already, so a header the store has not taken
      // since (a pause, say) must not hold them back; only losing the rollout does.
      if (!stillDriving() || !active.containsKey(rollout.id)) {
        return;
      }
      try {
        carry(machine, toCarry);
      } catch (RuntimeException | Error e) {
        log.error("rollout {}: handing its first wave over failed ({}); agents it did not reach count as failed"
            + " when their apply timeout ends", rollout.id, e.toString(), e);
      }
    });
    // Its view is of what that transaction stored.
    return publish(rollout, ALL_STORED);
  }

  /** The rollout as it would start now, neither stored nor started; refused as {@link #create} would refuse it. */
  private Rollout planned(long id, RolloutPlan plan, ConfigVersion target, String packageFrom, String createdBy,
      boolean refuseIncompatible) {
    List<Agent> matched = wholeFleet.matching(plan.selector());
    for (Agent agent : matched) {
      RolloutMachine other = byAgent.get(agent.uid());
      if (other != null) {
        throw inRollout(agent.uid(), other.rollout().id, ANOTHER_ROLLOUT);
      }
    }
    PackageTarget pkg = plan.pkg();
    RolloutSelection selection = RolloutSelection.of(plan, target, matched,
        agent -> pkg == null ? Optional.empty() : offers.offeredVersion(agent.uid(), pkg.name()),
        (name, version) -> packages.find(name, version).isPresent(), packageFrom);
    if (!selection.incompatible().isEmpty() && refuseIncompatible) {
      throw new RolloutException(RolloutException.Kind.INVALID, selection.incompatible().size() + " matched agents"
          + " lack components " + target.label() + " names (" + RolloutSelection.firstThree(selection.incompatible())
          + "); leave them out with \"incompatible\": \"skip\", or change the config");
    }
    if (selection.connected.isEmpty() && (!plan.includesOffline() || selection.offline.isEmpty())) {
      throw new RolloutException(RolloutException.Kind.INVALID, "the selector '" + plan.selector()
          + "' matches no connected agent the rollout can take"
          + (selection.notes.isEmpty() ? "" : " (" + String.join("; ", selection.notes) + ")")
          + "; check it with GET /api/v1/agents?selector=...");
    }
    refuseUnreachableTimeout(selection.connected.stream().map(c -> inventory.find(c.uid()))
        .flatMap(Optional::stream).toList(), plan.applyTimeout());
    return Rollout.create(id, plan, target, createdBy, clock.getAsLong(),
        selection.notes.isEmpty() ? null : String.join("; ", selection.notes), selection.connected, selection.offline);
  }

  /**
   * An agent that polls over HTTP gets the version at its next poll and reports at the one after:
   * an apply timeout shorter than two of its polls cannot be met, and would spend the budget on it.
   */
  private static void refuseUnreachableTimeout(List<Agent> agents, Duration applyTimeout) {
    List<AgentSnapshot> slow = agents.stream().map(Agent::snapshot)
        .filter(agent -> 2 * agent.pollMillis() > applyTimeout.toMillis())
        .sorted(Comparator.comparingLong(AgentSnapshot::pollMillis).reversed()).toList();
    if (!slow.isEmpty()) {
      long needed = (2 * slow.get(0).pollMillis() + 999) / 1000;
      throw new RolloutException(RolloutException.Kind.INVALID, slow.size() + " matched agents poll over HTTP too"
          + " seldom to apply within the apply timeout of " + applyTimeout.toSeconds() + " s (agent "
          + slow.get(0).uid() + " polls about every " + Math.round(slow.get(0).pollMillis() / 1000.0) + " s, and needs two"
          + " polls); set applyTimeout to at least " + needed + "s, or leave those agents out with the selector");
    }
  }

  /** An operator's action on a rollout: pause, resume or abort. */
  private enum Control {
    PAUSE, RESUME, ABORT;

    Steps on(RolloutMachine machine, String who, long now) {
      return switch (this) {
        case PAUSE -> machine.pause(who);
        case RESUME -> machine.resume(who);
        case ABORT -> machine.abort(who, now);
      };
    }

    /** As the store keeps it for the server driving the rollout: "PAUSE alice". */
    String request(String who) {
      return name() + " " + who;
    }
  }

  /**
   * An operator's action, carried out here when this server drives the rollout; else left in the
   * store for the one that does, and the rollout as it is once that one has carried it out (or after
   * a few seconds, as it is then).
   */
  private RolloutView control(long id, Control control, String who) {
    Optional<RolloutView> here = call(() -> Optional.ofNullable(active.get(id)).map(machine -> {
      carry(machine, control.on(machine, who, clock.getAsLong()));
      RolloutView ended = finished.get(id);
      if (ended != null) {
        return ended;
      }
      return active.containsKey(id) ? publish(machine.rollout()) : machine.rollout().view(100);
    }));
    if (here.isPresent()) {
      return here.get();
    }
    RolloutRow row = repository.find(id).orElseThrow(() -> new RolloutException(RolloutException.Kind.NOT_FOUND,
        "there is no rollout " + id));
    if (control == Control.ABORT && !row.state().equals(RolloutState.RUNNING.name())
        && !row.state().equals(RolloutState.PAUSED.name())) {
      // As the driving server would answer: refused here, not left in the store to be refused there.
      throw new RolloutException(RolloutException.Kind.CONFLICT, "rollout " + id + " is " + row.state()
          + "; only a RUNNING or PAUSED rollout can be aborted");
    }
    String request = control.request(who);
    if (!repository.request(id, request)) {
      throw new RolloutException(RolloutException.Kind.CONFLICT, "rollout " + id + " has already ended ("
          + repository.find(id).map(RolloutRow::state).orElse(row.state()) + ")");
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REQUEST_WAIT_MILLIS);
    while (System.nanoTime() < deadline && repository.unfinished().stream()
        .anyMatch(driven -> driven.id() == id && request.equals(driven.requested()))) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    storedViews.remove(id);
    return view(id).orElseThrow();
  }

  /** Carries out an operator's request left in the store for this server; a request it refuses is logged. */
  private void answer(RolloutMachine machine, String request, long now) {
    String[] parts = request.split(" ", 2);
    try {
      Control control = Control.valueOf(parts[0]);
      carry(machine, control.on(machine, parts.length > 1 ? parts[1] : "", now));
    } catch (RuntimeException e) {
      log.warn("rollout {}: the request '{}' was not carried out: {}", machine.rollout().id, request, e.getMessage());
    }
    repository.answered(machine.rollout().id, request);
  }

  /**
   * Renews what this server drives and takes over the unfinished rollouts whose driver is gone (or
   * is this server, from an earlier start); carries out the operators' requests. A server that
   * cannot say it is alive lets go of all it drives, for another to take over.
   */
  private void drive(long now) {
    lastDrive = now;
    if (!replicas.present()) {
      if (!active.isEmpty()) {
        log.warn("rollouts: this server cannot renew its presence in the store; it stops driving {} rollouts, for"
            + " another server to take over", active.size());
        List.copyOf(active.values()).forEach(this::drop);
      }
      return;
    }
    List<RolloutRepository.Driven> unfinished;
    try {
      unfinished = repository.unfinished();
    } catch (RuntimeException e) {
      log.warn("rollouts: cannot read which rollouts need a driver ({}); trying again in {} ms", e.getMessage(),
          DRIVE_EVERY_MILLIS);
      return;
    }
    for (RolloutRepository.Driven driven : unfinished) {
      try {
        drive(driven, now);
      } catch (RuntimeException e) {
        log.warn("rollout {}: cannot take it up now ({}); trying again in {} ms", driven.id(), e.getMessage(),
            DRIVE_EVERY_MILLIS);
      }
    }
  }

  /** Renews one rollout driven here, carries out its request, or takes it over when its driver is gone. */
  private void drive(RolloutRepository.Driven driven, long now) {
    RolloutMachine machine = active.get(driven.id());
    if (machine != null) {
      if (!replicas.name().equals(driven.driver())) {
        log.warn("rollout {}: {} drives it now; this server stops", driven.id(), driven.driver());
        drop(machine);
      } else if (driven.requested() != null) {
        answer(machine, driven.requested(), now);
      }
      return;
    }
    if (endedHere.contains(driven.id())) {
      return;
    }
    boolean free = driven.driver() == null || driven.driver().equals(replicas.name())
        || !replicas.aliveElsewhere(driven.driver());
    if (free && repository.claim(driven.id(), driven.driver(), replicas.name())) {
      repository.find(driven.id()).ifPresent(row -> takeOver(row, driven.driver(), now));
    }
  }

  /** Stops driving a rollout here (another server drives it, or will). */
  private void drop(RolloutMachine machine) {
    Rollout rollout = machine.rollout();
    active.remove(rollout.id);
    current.remove(rollout.id);
    publishedAt.remove(rollout.id);
    unstored.remove(rollout.id);
    rollout.agents.keySet().forEach(uid -> byAgent.remove(uid, machine));
  }

  private void tick() {
    try {
      long now = clock.getAsLong();
      if (!stillDriving()) {
        // Another server may take these rollouts over at any moment (or did): not one more step here.
        drive(now);
        return;
      }
      retryStore(now);
      Map<RolloutMachine, List<String>> observed = new LinkedHashMap<>();
      for (String uid : List.copyOf(changed)) {
        changed.remove(uid);
        RolloutMachine machine = byAgent.get(uid);
        if (machine != null) {
          observed.computeIfAbsent(machine, m -> new ArrayList<>()).add(uid);
        }
      }
      observed.forEach((machine, uids) -> step(machine, () -> machine.observe(uids, fleet, now)));
      if (now - lastDrive >= DRIVE_EVERY_MILLIS) {
        drive(now);
      }
      if (now - lastScan >= SCAN_EVERY_MILLIS) {
        lastScan = now;
        List.copyOf(active.values()).forEach(machine -> step(machine, () -> machine.scan(fleet, now)));
      }
    } catch (RuntimeException | Error e) {
      // Whatever it was, the engine's thread must go on ticking: a stopped tick would hold its rollouts.
      log.error("rollouts: a step failed and will be tried again: {}", e.toString(), e);
    }
  }

  /**
   * One transition of a rollout whose state is stored; one the store has not taken yet waits. Taken
   * only while this server still drives: checked here, before configs go out, since an earlier step
   * may have held the thread past the lease.
   */
  private void step(RolloutMachine machine, Supplier<Steps> transition) {
    if (stillDriving() && active.containsKey(machine.rollout().id) && !unstored.containsKey(machine.rollout().id)) {
      carry(machine, transition.get());
    }
  }

  /**
   * Whether this server may go on driving its rollouts: its presence is current and has not lapsed
   * since it took them up. After a lapse it lets them all go, to claim again those no other server took.
   */
  private boolean stillDriving() {
    if (!replicas.present()) {
      return false;
    }
    long lapses = replicas.lapses();
    if (lapses != lapsesSeen) {
      lapsesSeen = lapses;
      if (!active.isEmpty()) {
        log.warn("rollouts: this server's presence lapsed; it lets its {} rollouts go and claims again those"
            + " no other server took", active.size());
        List.copyOf(active.values()).forEach(this::drop);
      }
      return false;
    }
    return true;
  }

  /** Carries a transition's steps out: configs to send, progress to record, the rollout's state to store. */
  private void carry(RolloutMachine machine, Steps steps) {
    Rollout rollout = machine.rollout();
    long now = clock.getAsLong();
    for (Steps.Send send : steps.sends) {
      inventory.find(send.uid()).ifPresent(agent -> {
        if (send.version() != null) {
          sender.send(agent, send.version(), send.why(), now);
        } else {
          sender.returnToLocal(agent, send.why(), now);
        }
      });
    }
    // A wave offers one or two versions to many agents: each is looked up in the store once.
    Map<PackageTarget, Optional<HostedPackage>> hostedVersions = new HashMap<>();
    for (Steps.Offer offer : steps.offers) {
      // An offer the store cannot take now must not stop the rest of the step from being carried out.
      try {
        Optional<HostedPackage> hosted = hostedVersions.computeIfAbsent(offer.pkg(),
            pkg -> packages.find(pkg.name(), pkg.version()));
        inventory.find(offer.uid()).ifPresent(agent -> hosted.ifPresentOrElse(
            version -> sender.offer(agent, version, offer.why(), now),
            () -> log.error("rollout {}: package {} is no longer hosted; agent {} was not offered it", rollout.id,
                offer.pkg().label(), offer.uid())));
      } catch (RuntimeException e) {
        log.error("rollout {}: agent {} was not offered {}: {}", rollout.id, offer.uid(), offer.pkg().label(),
            e.getMessage());
      }
    }
    CompletableFuture<Void> lastRow = null;
    for (RolloutAgent agent : steps.recorded.values()) {
      lastRow = writes.rolloutAgent(agent.row(rollout.id));
    }
    if (lastRow != null) {
      // Everything queued so far, not the last row alone (it may have joined an earlier batch that held
      // its row); failed when the store refused that row, as close() must know.
      lastProgress = CompletableFuture.allOf(lastRow, writes.writtenSoFar());
    }
    if (steps.rolloutChanged) {
      store(machine, now, lastProgress);
    }
    Long published = publishedAt.get(rollout.id);
    if (active.containsKey(rollout.id)
        && (steps.rolloutChanged || published == null || System.nanoTime() - published >= PUBLISH_EVERY_NANOS)) {
      publish(rollout);
    }
  }

  /**
   * Makes the rollout's view the one the API reads once the progress written so far is stored (the
   * store writes in order, so that includes every report and attempt this view counts). An ended
   * rollout is shown by {@link #store} once its end is stored and its agents are free: shown before,
   * a rollout started at once over the same agents would be refused.
   */
  private RolloutView publish(Rollout rollout) {
    return publish(rollout, lastProgress);
  }

  private RolloutView publish(Rollout rollout, CompletableFuture<Void> progress) {
    long madeAt = System.nanoTime();
    Published published = new Published(rollout.view(100), madeAt);
    publishedAt.put(rollout.id, madeAt);
    if (rollout.state.finished()) {
      return published.view();
    }
    if (progress.isDone()) {
      current.merge(rollout.id, published, Published::newer);
    } else {
      // Only while the rollout is still driven here: one that ended or was dropped meanwhile stays gone.
      progress.whenComplete((stored, refused) -> current.computeIfPresent(rollout.id,
          (id, shown) -> shown.newer(published)));
    }
    return published.view();
  }

  private void store(RolloutMachine machine, long now, CompletableFuture<Void> behind) {
    Rollout rollout = machine.rollout();
    StoreRetry waiting = unstored.getOrDefault(rollout.id, new StoreRetry(0, now, behind));
    if (!behind.isDone()) {
      // A state is stored after the progress that led to it, so that a successor never finds a wave
      // ended, or the rollout SUCCEEDED, with attempts the store still has on their way.
      unstored.put(rollout.id, new StoreRetry(waiting.tries(), now, behind));
      return;
    }
    try {
      if (!repository.update(header(rollout), replicas.name())) {
        log.warn("rollout {}: another server drives it now; this one stops", rollout.id);
        drop(machine);
        return;
      }
      unstored.remove(rollout.id);
    } catch (RuntimeException e) {
      if (StoreException.mayPass(e)) {
        // An outage is not a refusal: the rollout waits for the store without spending its tries.
        log.warn("rollout {}: the store is not answering ({}); trying again in {} ms", rollout.id, e.getMessage(),
            OUTAGE_RETRY_MILLIS);
        unstored.put(rollout.id, new StoreRetry(waiting.tries(), now + OUTAGE_RETRY_MILLIS, behind));
        return;
      }
      int tries = waiting.tries() + 1;
      if (tries < STORE_TRIES) {
        long backoff = STORE_RETRIES.delay(tries).toMillis();
        log.warn("rollout {}: the store refused its state ({}); trying again in {} ms", rollout.id, e.getMessage(),
            backoff);
        unstored.put(rollout.id, new StoreRetry(tries, now + backoff, behind));
        return;
      }
      unstored.remove(rollout.id);
      if (!rollout.state.equals(RolloutState.FAILED)) {
        // Whatever state the store refused, the rollout now ends FAILED, and that is stored in its turn.
        String reason = "the store refused the rollout's progress " + tries + " times: " + e.getMessage();
        log.error("rollout {}: {}", rollout.id, reason);
        carry(machine, machine.fail(reason, now));
        return;
      }
      log.error("rollout {}: the store refused its end too ({}); it ends here, and a restart finds it as last"
          + " stored", rollout.id, e.getMessage());
      endedHere.add(rollout.id);
    }
    if (rollout.state.finished()) {
      active.remove(rollout.id);
      rollout.agents.keySet().forEach(uid -> byAgent.remove(uid, machine));
      finished.put(rollout.id, rollout.view(100));
      current.remove(rollout.id);
      publishedAt.remove(rollout.id);
      log.info("rollout {}: {}: {}", rollout.id, rollout.state, rollout.reason);
    }
  }

  private void retryStore(long now) {
    for (Map.Entry<Long, StoreRetry> entry : List.copyOf(unstored.entrySet())) {
      RolloutMachine machine = active.get(entry.getKey());
      if (machine == null) {
        unstored.remove(entry.getKey());
      } else if (now >= entry.getValue().nextAt()) {
        // Its own progress, not the newest: other rollouts' steps move that on every tick under load.
        store(machine, now, entry.getValue().behind());
      }
    }
  }

  private RolloutRow header(Rollout rollout) {
    RolloutPlan plan = rollout.plan;
    return new RolloutRow(rollout.id, plan.selector().toString(), plan.configName(), plan.version(),
        plan.waves().toString(), plan.bake().toMillis(), plan.budget().toString(), plan.applyTimeout().toMillis(),
        rollout.state.name(), ColumnText.fit(rollout.reason, 2000), rollout.currentWave, rollout.createdBy,
        rollout.createdAt, rollout.endedAt, plan.stages().isEmpty() ? null : Stage.toText(plan.stages()),
        plan.pkg() == null ? null : plan.pkg().name(), plan.pkg() == null ? null : plan.pkg().version(),
        plan.offlineDeadline().toMillis());
  }

  /**
   * Drives a rollout this server has just claimed: one another server drove (it is gone) or this
   * one drove before a restart; its clocks restart from now. One whose config versions are missing
   * from the store ends FAILED.
   */
  private void takeOver(RolloutRow row, String from, long now) {
    List<String> missing = new ArrayList<>();
    Rollout rollout = rebuild(row, new HashMap<>(), missing);
    // Agents held by other servers are read from the store (as the rollout is: a failure leaves it
    // undriven here); their reports are followed from now on.
    inventory.load(rollout.agents.keySet());
    RolloutMachine machine = new RolloutMachine(rollout);
    active.put(rollout.id, machine);
    rollout.agents.keySet().forEach(uid -> byAgent.put(uid, machine));
    publish(rollout, ALL_STORED);
    if (!missing.isEmpty()) {
      carry(machine, machine.fail("the store lacks " + String.join(", ", missing) + ", which the rollout needs", now));
      return;
    }
    log.info("rollout {}: {} in wave {} ({})", rollout.id, from == null || from.equals(replicas.name())
        ? "resumed" : "taken over from " + from, rollout.currentWave + 1, rollout.state);
    carry(machine, machine.resumeAfterRestart(fleet, now));
  }

  /** A stored rollout with its agents' progress; config versions the store lacks are noted in {@code missing}. */
  private Rollout rebuild(RolloutRow row, Map<String, Optional<ConfigVersion>> versions, List<String> missing) {
    ConfigVersion target = row.configName() == null ? null
        : lookup(versions, row.configName(), row.version(), missing);
    RolloutPlan plan = new RolloutPlan(LabelSelector.parse(row.selector()), row.configName(), row.version(),
        WavePlan.parse(row.waves()), Duration.ofMillis(row.bakeMillis()), FailureBudget.parse(row.budget()),
        Duration.ofMillis(row.timeoutMillis()), Stage.fromText(row.stages()),
        row.packageName() == null ? null : new PackageTarget(row.packageName(), row.packageVersion()),
        Duration.ofMillis(row.offlineDeadlineMillis()));
    Rollout rollout = new Rollout(row.id(), plan, target, row.createdBy(), row.createdAt(),
        RolloutState.valueOf(row.state()), row.reason(), row.currentWave(), row.endedAt());
    for (RolloutAgentRow agent : repository.agents(row.id())) {
      RolloutAgent entry = new RolloutAgent(agent.uid(), agent.wave(), AgentProgress.valueOf(agent.state()),
          agent.previousConfig() == null ? null
              : lookup(versions, agent.previousConfig(), agent.previousVersion(), missing),
          agent.previousPackage(), agent.since(), agent.message());
      entry.staleUnread = agent.staleFailure();
      rollout.add(entry);
    }
    return rollout;
  }

  /** The version, or a stand-in named for it (noted in {@code missing}) when the store lacks it. */
  private ConfigVersion lookup(Map<String, Optional<ConfigVersion>> cache, String name, int version,
      List<String> missing) {
    Optional<ConfigVersion> found = cache.computeIfAbsent(name + "@" + version, key -> configs.version(name, version));
    if (found.isEmpty()) {
      missing.add("config " + name + "@" + version);
      return new ConfigVersion(name, version, "", "", "", "", Instant.EPOCH);
    }
    return found.get();
  }
}

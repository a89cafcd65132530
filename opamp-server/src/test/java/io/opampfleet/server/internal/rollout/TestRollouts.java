package io.opampfleet.server.internal.rollout;

import io.opampfleet.proto.PackageStatusEnum;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.selector.LabelSelector;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Rollouts over agents whose reports a test sets, on a clock the test moves. */
final class TestRollouts {
  static final ConfigVersion V1 = version(1, "receivers: {nop: {}}\n");
  static final ConfigVersion V2 = version(2, "receivers: {otlp: {}}\n");
  static final Duration APPLY_TIMEOUT = Duration.ofSeconds(60);
  static final PackageTarget OTELCOL_1 = new PackageTarget("otelcol", "1.0");
  static final PackageTarget OTELCOL_2 = new PackageTarget("otelcol", "2.0");

  private TestRollouts() {}

  static ConfigVersion version(int number, String body) {
    return new ConfigVersion("app", number, body, ConfigVersion.sha256(body), "test", "", Instant.EPOCH);
  }

  static List<String> sentTo(Steps steps) {
    return steps.sends.stream().map(Steps.Send::uid).toList();
  }

  /** Agents by uid: connected, healthy, running V1 as the server wants unless a test says otherwise. */
  static final class Fleet implements RolloutMachine.Fleet {
    private final Map<String, AgentFacts> agents = new HashMap<>();
    private final java.util.Set<String> removed = new java.util.HashSet<>();
    private boolean first;

    /** Agents the server has given no config yet: they run their local one. */
    void firstRollout() {
      first = true;
    }

    AgentFacts facts(String uid) {
      return agents.computeIfAbsent(uid, key -> first
          ? new AgentFacts(true, true, "", RemoteConfigStatuses.RemoteConfigStatuses_UNSET, "", "", null)
          : new AgentFacts(true, true, V1.sha256(), RemoteConfigStatuses.RemoteConfigStatuses_APPLIED, "", "", V1));
    }

    @Override
    public Optional<AgentFacts> apply(String uid) {
      return removed.contains(uid) ? Optional.empty() : Optional.of(facts(uid));
    }

    /** The agent is deleted from the inventory. */
    void remove(String uid) {
      removed.add(uid);
    }

    void reports(String uid, ConfigVersion version, RemoteConfigStatuses status) {
      reports(uid, version, status, "");
    }

    /** A remote config status about this version (null: the local config, an empty map). */
    void reports(String uid, ConfigVersion version, RemoteConfigStatuses status, String error) {
      AgentFacts was = facts(uid);
      agents.put(uid, new AgentFacts(was.connected(), was.healthy(),
          version == null ? ConfigVersion.LOCAL_CONFIG_SHA256 : version.sha256(), status, error, was.healthError(),
          was.desired(), was.packages()));
    }

    /** What the engine does with a send: the server's desired config changes. */
    void desire(String uid, ConfigVersion version) {
      AgentFacts was = facts(uid);
      agents.put(uid, new AgentFacts(was.connected(), was.healthy(), was.reportedHash(), was.reportedStatus(),
          was.configError(), was.healthError(), version, was.packages()));
    }

    void unhealthy(String uid, String error) {
      AgentFacts was = facts(uid);
      agents.put(uid, new AgentFacts(was.connected(), false, was.reportedHash(), was.reportedStatus(),
          was.configError(), error, was.desired(), was.packages()));
    }

    void offline(String uid) {
      connected(uid, false);
    }

    void online(String uid) {
      connected(uid, true);
    }

    /** Offline is never healthy; an agent that returns is healthy until it says otherwise. */
    private void connected(String uid, boolean connected) {
      AgentFacts was = facts(uid);
      put(uid, new AgentFacts(connected, connected, was.reportedHash(), was.reportedStatus(), was.configError(),
          was.healthError(), was.desired(), was.packages()));
    }

    void put(String uid, AgentFacts facts) {
      agents.put(uid, facts);
    }

    /** A rollout of V2 over these agents, planned as the engine plans one: offline ones pending. */
    Run rollout(String waves, String bake, String budget, String... uids) {
      RolloutPlan plan = new RolloutPlan(LabelSelector.parse("app=x"), "app", 2, WavePlan.parse(waves),
          Duration.parse("PT" + bake.toUpperCase()), FailureBudget.parse(budget), APPLY_TIMEOUT, List.of());
      return start(plan, Arrays.stream(uids).map(uid -> new Rollout.Candidate(uid, Map.of())).toList());
    }

    /** A rollout of V2 in these waves that includes offline agents, waiting for each up to the deadline. */
    Run withOffline(String waves, Duration offlineDeadline, String... uids) {
      RolloutPlan plan = new RolloutPlan(LabelSelector.parse("app=x"), "app", 2, WavePlan.parse(waves), Duration.ZERO,
          FailureBudget.parse("0"), APPLY_TIMEOUT, List.of(), null, offlineDeadline);
      return start(plan, Arrays.stream(uids).map(uid -> new Rollout.Candidate(uid, Map.of())).toList());
    }

    /** A rollout of V2 by stages over these agents, each with its labels. */
    Run staged(List<Stage> stages, List<Rollout.Candidate> candidates) {
      RolloutPlan plan = new RolloutPlan(LabelSelector.parse(""), "app", 2, WavePlan.parse("100%"), Duration.ZERO,
          FailureBudget.parse("0"), APPLY_TIMEOUT, stages);
      return start(plan, candidates.stream().filter(c -> plan.stageOf(c.labels()) >= 0).toList());
    }

    /**
     * A rollout of otelcol 2.0 (with V2 when {@code withConfig}) over these agents, each going back to
     * otelcol 1.0 on a rollback.
     */
    Run packageRollout(String waves, String budget, boolean withConfig, String... uids) {
      RolloutPlan plan = new RolloutPlan(LabelSelector.parse("app=x"), withConfig ? "app" : null, withConfig ? 2 : 0,
          WavePlan.parse(waves), Duration.ZERO, FailureBudget.parse(budget), APPLY_TIMEOUT, List.of(), OTELCOL_2,
          Duration.ZERO);
      return start(plan, withConfig ? V2 : null, Arrays.stream(uids)
          .map(uid -> new Rollout.Candidate(uid, Map.of(), OTELCOL_1.version())).toList());
    }

    private Run start(RolloutPlan plan, List<Rollout.Candidate> candidates) {
      return start(plan, V2, candidates);
    }

    private Run start(RolloutPlan plan, ConfigVersion target, List<Rollout.Candidate> candidates) {
      List<Rollout.Candidate> connected = new ArrayList<>();
      List<Rollout.Candidate> offline = new ArrayList<>();
      candidates.forEach(candidate -> (facts(candidate.uid()).connected() ? connected : offline).add(candidate));
      return new Run(this, new RolloutMachine(Rollout.create(1, plan, target, "test", 0, null, connected, offline)));
    }

    /** The agent reports this of the otelcol package: the version it has, and its status for the one offered. */
    void packageReport(String uid, String has, PackageStatusEnum status, String offered, String error) {
      AgentFacts was = facts(uid);
      Map<String, PackageFacts> packages = new HashMap<>(was.packages());
      packages.put(OTELCOL_2.name(), new PackageFacts(has, status, offered, error));
      agents.put(uid, new AgentFacts(was.connected(), was.healthy(), was.reportedHash(), was.reportedStatus(),
          was.configError(), was.healthError(), was.desired(), packages));
    }
  }

  /** One rollout and the time: each call is one transition at that time. */
  static final class Run {
    private final Fleet fleet;
    private final RolloutMachine machine;
    private long now;

    Run(Fleet fleet, RolloutMachine machine) {
      this.fleet = fleet;
      this.machine = machine;
    }

    RolloutMachine machine() {
      return machine;
    }

    Rollout rollout() {
      return machine.rollout();
    }

    RolloutState state() {
      return rollout().state;
    }

    RolloutAgent agent(String uid) {
      return rollout().agents.get(uid);
    }

    List<String> progress() {
      return rollout().agents.values().stream().map(agent -> agent.uid + "=" + agent.progress).toList();
    }

    Run at(long millis) {
      now = millis;
      return this;
    }

    Steps start() {
      return carried(machine.start(fleet, now));
    }

    Steps observe(String... uids) {
      return carried(machine.observe(List.of(uids), fleet, now));
    }

    Steps scan() {
      return carried(machine.scan(fleet, now));
    }

    /** The server's side of each send: the agent's desired config is what was sent. */
    private Steps carried(Steps steps) {
      steps.sends.forEach(send -> fleet.desire(send.uid(), send.version()));
      return steps;
    }
  }
}

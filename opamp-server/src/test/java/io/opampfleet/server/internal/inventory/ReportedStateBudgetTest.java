package io.opampfleet.server.internal.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.ComponentDetails;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.EffectiveConfig;
import java.lang.ref.Reference;
import java.util.HashSet;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReportedStateBudgetTest {
  private static final int CONFIG_BYTES = 100_000;

  private final Inventory inventory = new Inventory();
  private final Reports reports = new Reports(inventory);
  private final AtomicLong nanos = new AtomicLong();
  /** Room for three new agents with a config each in its nine tenths, not four in the whole. */
  private final ReportedStateBudget budget = new ReportedStateBudget(
      3 * (CONFIG_BYTES + 400 + ReportedStateBudget.PER_AGENT_BYTES) * 10 / 9, inventory, nanos::get);

  @Test
  void newAgentsAreRefusedPastNineTenthsOfTheCeilingAndKnownOnesKeepTheLastTenthToGrow() {
    for (int i = 0; i < 3; i++) {
      assertThat(admitNew(withConfig(CONFIG_BYTES))).as("agent " + i).isEmpty();
    }
    Optional<String> refused = budget.problem(Optional.empty(), withConfig(CONFIG_BYTES));
    assertThat(refused).hasValueSatisfying(reason -> assertThat(reason)
        .startsWith("a new agent: the agents' reported state the server holds is at its ceiling"));
    // Nor a new agent that reports nothing: each agent costs its record.
    assertThat(budget.problem(Optional.empty(), AgentToServer.getDefaultInstance())).isPresent();
    // A known agent applies a larger config (a rollout's, which the fleet holds): its report fits in the last tenth.
    EffectiveConfig rollouts = SharedMessages.EFFECTIVE_CONFIGS.of(withConfig(CONFIG_BYTES + 30_000).getEffectiveConfig());
    Agent known = inventory.all().iterator().next();
    assertThat(budget.problem(Optional.of(known), withConfig(CONFIG_BYTES + 30_000))).isEmpty();
    Reference.reachabilityFence(rollouts);
  }

  @Test
  void atTheCeilingAKnownAgentIsRefusedMoreButKeepsReportingWhatDoesNotGrow() {
    Agent known = inventory.add(UUID.randomUUID().toString());
    reports.apply(known, withConfig(CONFIG_BYTES).toBuilder().setHealth(health("starting")).build(), "a", 0);
    for (int i = 0; i < 2; i++) {
      assertThat(admitNew(withConfig(CONFIG_BYTES))).isEmpty();
    }
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(2));

    assertThat(budget.problem(Optional.of(known), withConfig(CONFIG_BYTES * 2))).isPresent();
    assertThat(budget.problem(Optional.of(known), AgentToServer.getDefaultInstance())).isEmpty();
    assertThat(budget.problem(Optional.of(known), withConfig(CONFIG_BYTES))).isEmpty();
    assertThat(budget.problem(Optional.of(known),
        AgentToServer.newBuilder().setHealth(health("running")).build())).isEmpty();
    // A smaller config makes room for another agent's larger one (a rollout's), once applied and counted.
    EffectiveConfig rollouts = SharedMessages.EFFECTIVE_CONFIGS.of(withConfig(CONFIG_BYTES * 2).getEffectiveConfig());
    Agent other = inventory.all().stream().filter(agent -> agent != known).findFirst().orElseThrow();
    reports.apply(known, withConfig(10), "a", 1);
    assertThat(budget.problem(Optional.of(other), withConfig(CONFIG_BYTES * 2))).isPresent();
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(2));
    assertThat(budget.problem(Optional.of(other), withConfig(CONFIG_BYTES * 2))).isEmpty();
    Reference.reachabilityFence(rollouts);
  }

  @Test
  void anAgentReplacingItsConfigAgainAndAgainIsRefusedOnceWhatTheStoreKeepsOfTheOldOnesReachesTheCeiling() {
    ReportedStateBudget roomy = new ReportedStateBudget(10L * CONFIG_BYTES, inventory, nanos::get);
    Agent rotating = inventory.add(UUID.randomUUID().toString());
    reports.apply(rotating, withConfig(CONFIG_BYTES, 0), "a", 0);

    int replaced = 0;
    // Each report keeps the size it holds, and makes the store a new body of 100 KB it keeps a while.
    while (replaced < 50 && roomy.problem(Optional.of(rotating), withConfig(CONFIG_BYTES, replaced + 1)).isEmpty()) {
      reports.apply(rotating, withConfig(CONFIG_BYTES, replaced + 1), "a", replaced + 1);
      replaced++;
    }

    // The first is free (a rollout's); then the ceiling of 1 MB less the 100 KB it holds.
    assertThat(replaced).isEqualTo(1 + 8);
    assertThat(roomy.problem(Optional.of(rotating), withConfig(CONFIG_BYTES, 99))).hasValueSatisfying(reason ->
        assertThat(reason).contains("large parts agents replaced count for 13 minutes"));
    // What it holds passes still; and once the store may have pruned the old bodies, another config too.
    assertThat(roomy.problem(Optional.of(rotating), withConfig(CONFIG_BYTES, replaced))).isEmpty();
    nanos.addAndGet(TimeUnit.MINUTES.toNanos(13));
    assertThat(roomy.problem(Optional.of(rotating), withConfig(CONFIG_BYTES, 99))).isEmpty();
  }

  @Test
  void aReportTheCeilingRefusesLeavesTheFreeReplacementForItsRetry() {
    ReportedStateBudget tight = new ReportedStateBudget(CONFIG_BYTES * 3 / 2, inventory, nanos::get);
    Agent agent = inventory.add(UUID.randomUUID().toString());
    reports.apply(agent, withConfig(CONFIG_BYTES, 2001), "a", 0);

    // Twice the size: refused for growing past the ceiling.
    assertThat(tight.problem(Optional.of(agent), withConfig(2 * CONFIG_BYTES, 2002))).isPresent();
    // Its retry with a config of the same size replaces for free.
    assertThat(tight.problem(Optional.of(agent), withConfig(CONFIG_BYTES, 2003))).isEmpty();
    reports.apply(agent, withConfig(CONFIG_BYTES, 2003), "a", 1);
    assertThat(tight.problem(Optional.of(agent), withConfig(CONFIG_BYTES, 2004))).as("the next counts").isPresent();
  }

  @Test
  void anAgentGoingBackAndForthBetweenAConfigOthersHoldAndNewOnesCountsEachNewOne() {
    ReportedStateBudget roomy = new ReportedStateBudget(10L * CONFIG_BYTES, inventory, nanos::get);
    AgentToServer shared = withConfig(CONFIG_BYTES, 0);
    reports.apply(inventory.add(UUID.randomUUID().toString()), shared, "a", 0);
    Agent rotating = inventory.add(UUID.randomUUID().toString());
    reports.apply(rotating, shared, "a", 0);

    int made = 0;
    // Configs of their own: parts another test's agents held may not be collected yet.
    for (int i = 1001; i < 1050; i++) {
      if (roomy.problem(Optional.of(rotating), withConfig(CONFIG_BYTES, i)).isPresent()) {
        break;
      }
      reports.apply(rotating, withConfig(CONFIG_BYTES, i), "a", i);
      made++;
      // Back to the config another agent holds: nothing new for the store.
      assertThat(roomy.problem(Optional.of(rotating), shared)).isEmpty();
      reports.apply(rotating, shared, "a", i);
    }

    // The first free, then the ceiling of 1 MB less the two agents' records and configs (about 200 KB).
    assertThat(made).isEqualTo(1 + 7);
  }

  @Test
  void theCountIsWhatEveryAgentsPartsTakeParsedAndItsShare() {
    Agent agent = inventory.add(UUID.randomUUID().toString());
    AgentToServer report = withConfig(CONFIG_BYTES).toBuilder().setHealth(health("running")).build();
    reports.apply(agent, report, "a", 0);

    long parts = HeldSize.of(report.getEffectiveConfig()) + HeldSize.of(report.getHealth());
    assertThat(agent.reportedBytes(new HashSet<>())).isEqualTo(parts);
    assertThat(budget.held()).isEqualTo(ReportedStateBudget.PER_AGENT_BYTES + parts);
  }

  @Test
  void reportsOfManySmallEntriesCountWhatTheyTakeParsedNotTheirEncodedBytes() {
    AgentToServer tiny = withComponents(2_000, "stranger");
    int encoded = tiny.getAvailableComponents().getSerializedSize();
    ReportedStateBudget tight = new ReportedStateBudget(20 * (encoded + ReportedStateBudget.PER_AGENT_BYTES),
        inventory, nanos::get);

    int admitted = 0;
    // Each made-up agent reports a list of its own: nothing is shared.
    for (int i = 0; i < 20 && tight.problem(Optional.empty(), withComponents(2_000, "stranger-" + i)).isEmpty(); i++) {
      reports.apply(inventory.add(UUID.randomUUID().toString()), withComponents(2_000, "stranger-" + i), "a", 0);
      admitted++;
    }

    // Counted by their encoded bytes, 18 would fit in the nine tenths; parsed, each takes several times that.
    assertThat(admitted).isBetween(1, 6);
  }

  @Test
  void agentsReportingTheSameComponentsCountTheirListOnce() {
    AgentToServer sameBuild = withComponents(2_000, "contrib");
    long list = HeldSize.of(sameBuild.getAvailableComponents());
    // New agents' nine tenths hold the list once and 60 agents' records: not the list twice.
    ReportedStateBudget budget = new ReportedStateBudget((list + 60 * ReportedStateBudget.PER_AGENT_BYTES) * 10 / 9,
        inventory, nanos::get);

    for (int i = 0; i < 50; i++) {
      AgentToServer report = withComponents(2_000, "contrib");
      assertThat(budget.problem(Optional.empty(), report)).as("agent " + i).isEmpty();
      reports.apply(inventory.add(UUID.randomUUID().toString()), report, "a", 0);
    }
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(2));

    assertThat(budget.held()).isEqualTo(50 * ReportedStateBudget.PER_AGENT_BYTES + list);
    assertThat(budget.problem(Optional.empty(), withComponents(2_000, "another build"))).isPresent();
  }

  @Test
  void aListRefusedAtTheCeilingIsRefusedAgainWhenSentAgain() {
    Agent known = inventory.add(UUID.randomUUID().toString());
    reports.apply(known, withConfig(CONFIG_BYTES), "a", 0);
    for (int i = 0; i < 2; i++) {
      assertThat(admitNew(withConfig(CONFIG_BYTES))).isEmpty();
    }
    AgentToServer large = withComponents(2_000, "unshared");

    assertThat(budget.problem(Optional.of(known), large)).isPresent();
    // The agent tries again, as agents do after Unavailable: the list it was refused is not held by then.
    assertThat(budget.problem(Optional.of(known), withComponents(2_000, "unshared"))).isPresent();
  }

  @Test
  void aServerSharingItsStoreCountsTheAgentsNotConnectedToItAsTheStoreHoldsThem() {
    ReportedStateBudget shared = ReportedStateBudget.sharingStore(
        3 * (CONFIG_BYTES + 400 + ReportedStateBudget.PER_AGENT_BYTES) * 10 / 9, inventory, nanos::get);
    // Read from the store for a rollout, not connected here: the store's count has it.
    reports.apply(inventory.add(UUID.randomUUID().toString()), withConfig(CONFIG_BYTES), "a", 0);
    assertThat(shared.held()).isZero();
    assertThat(shared.problem(Optional.empty(), withConfig(CONFIG_BYTES))).isEmpty();

    // Three agents that came and went, or are connected to other servers: the store holds them.
    shared.storeCounted(shared.storeCountBegins(), 3, 3 * (CONFIG_BYTES + 400L));
    assertThat(shared.problem(Optional.empty(), withConfig(CONFIG_BYTES))).hasValueSatisfying(reason ->
        assertThat(reason).startsWith("a new agent: the agents' reported state the server holds is at its ceiling"));
  }

  @Test
  void anAgentThatLeftCountsOnceUntilTheStoresCountHasIt() {
    ReportedStateBudget shared = ReportedStateBudget.sharingStore(10 * CONFIG_BYTES, inventory, nanos::get);
    Agent agent = inventory.add(UUID.randomUUID().toString());
    reports.apply(agent, withConfig(CONFIG_BYTES), "a", 0);
    long held = ReportedStateBudget.PER_AGENT_BYTES + agent.reportedBytes(new HashSet<>());
    // It says goodbye on the same connection again and again: counted once.
    for (int i = 0; i < 100; i++) {
      shared.left(agent);
    }
    assertThat(shared.held()).isEqualTo(held);

    // The first count begun after it left may have read the store before its row was written.
    shared.storeCounted(shared.storeCountBegins(), 0, 0);
    assertThat(shared.held()).isEqualTo(held);
    shared.storeCounted(shared.storeCountBegins(), 1, CONFIG_BYTES + 400);
    assertThat(shared.held()).isEqualTo(ReportedStateBudget.PER_AGENT_BYTES + CONFIG_BYTES + 400);
  }

  @Test
  void anAgentBackHereCountsInMemoryOnlyAndACountThatFailedDoesNotShortenTheWait() {
    ReportedStateBudget shared = ReportedStateBudget.sharingStore(10 * CONFIG_BYTES, inventory, nanos::get);
    Agent agent = inventory.add(UUID.randomUUID().toString());
    reports.apply(agent, withConfig(CONFIG_BYTES), "a", 0);
    shared.left(agent);
    shared.back(agent);
    assertThat(shared.held()).as("not connected in this test: memory does not count it either").isZero();

    shared.left(agent);
    shared.storeCountBegins(); // a count that failed: it never ends
    shared.storeCounted(shared.storeCountBegins(), 0, 0);
    assertThat(shared.held()).isPositive();
    shared.storeCounted(shared.storeCountBegins(), 1, CONFIG_BYTES);
    assertThat(shared.held()).isEqualTo(ReportedStateBudget.PER_AGENT_BYTES + CONFIG_BYTES);
  }

  @Test
  void agentsThatLeftReportingTheSameComponentsCountTheirListOnce() {
    ReportedStateBudget shared = ReportedStateBudget.sharingStore(10 * CONFIG_BYTES, inventory, nanos::get);
    long list = HeldSize.of(withComponents(2_000, "contrib").getAvailableComponents());
    for (int i = 0; i < 50; i++) {
      Agent agent = inventory.add(UUID.randomUUID().toString());
      reports.apply(agent, withComponents(2_000, "contrib"), "a", 0);
      shared.left(agent);
    }

    assertThat(shared.held()).isEqualTo(50 * ReportedStateBudget.PER_AGENT_BYTES + list);
  }

  /** Admits a made-up agent and keeps it, as the server would. */
  private Optional<String> admitNew(AgentToServer report) {
    Optional<String> problem = budget.problem(Optional.empty(), report);
    if (problem.isEmpty()) {
      reports.apply(inventory.add(UUID.randomUUID().toString()), report, "a", 0);
    }
    return problem;
  }

  private static AgentToServer withConfig(int bytes) {
    return withConfig(bytes, 0);
  }

  /** A config of {@code bytes}, one of its own for each {@code n}. */
  private static AgentToServer withConfig(int bytes, int n) {
    byte[] body = new byte[bytes];
    body[0] = (byte) n;
    body[1] = (byte) (n >> 8);
    return AgentToServer.newBuilder().setEffectiveConfig(EffectiveConfig.newBuilder().setConfigMap(
        AgentConfigMap.newBuilder().putConfigMap("collector.yaml", AgentConfigFile.newBuilder()
            .setBody(ByteString.copyFrom(body)).build()))).build();
  }

  /** A list of {@code types} receivers with no details, named after {@code build}: small entries. */
  private static AgentToServer withComponents(int types, String build) {
    ComponentDetails.Builder receivers = ComponentDetails.newBuilder();
    for (int i = 0; i < types; i++) {
      receivers.putSubComponentMap(build + i, ComponentDetails.getDefaultInstance());
    }
    return AgentToServer.newBuilder().setAvailableComponents(AvailableComponents.newBuilder()
        .putComponents("receivers", receivers.build())).build();
  }

  private static ComponentHealth health(String status) {
    return ComponentHealth.newBuilder().setHealthy(true).setStatus(status).build();
  }
}

package io.opampfleet.server.internal.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.EffectiveConfig;
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
      3 * (CONFIG_BYTES + 100 + ReportedStateBudget.PER_AGENT_BYTES) * 10 / 9, inventory, nanos::get);

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
    // A known agent applies a larger config (a rollout's): its report fits in the last tenth.
    Agent known = inventory.all().iterator().next();
    assertThat(budget.problem(Optional.of(known), withConfig(CONFIG_BYTES + 30_000))).isEmpty();
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
    // A smaller config makes room for another agent's larger one, once applied and counted.
    Agent other = inventory.all().stream().filter(agent -> agent != known).findFirst().orElseThrow();
    reports.apply(known, withConfig(10), "a", 1);
    assertThat(budget.problem(Optional.of(other), withConfig(CONFIG_BYTES * 2))).isPresent();
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(2));
    assertThat(budget.problem(Optional.of(other), withConfig(CONFIG_BYTES * 2))).isEmpty();
  }

  @Test
  void theCountIsEveryAgentsEncodedPartsAndItsShare() {
    Agent agent = inventory.add(UUID.randomUUID().toString());
    AgentToServer report = withConfig(CONFIG_BYTES).toBuilder().setHealth(health("running")).build();
    reports.apply(agent, report, "a", 0);

    assertThat(agent.reportedBytes()).isEqualTo(report.getEffectiveConfig().getSerializedSize()
        + report.getHealth().getSerializedSize());
    assertThat(budget.held()).isEqualTo(ReportedStateBudget.PER_AGENT_BYTES + agent.reportedBytes());
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
    return AgentToServer.newBuilder().setEffectiveConfig(EffectiveConfig.newBuilder().setConfigMap(
        AgentConfigMap.newBuilder().putConfigMap("collector.yaml", AgentConfigFile.newBuilder()
            .setBody(ByteString.copyFrom(new byte[bytes])).build()))).build();
  }

  private static ComponentHealth health(String status) {
    return ComponentHealth.newBuilder().setHealthy(true).setStatus(status).build();
  }
}

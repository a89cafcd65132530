package io.opampfleet.server.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.opampfleet.server.internal.store.EventBudget.Admission;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventBudgetTest {
  private static final long HOUR = 3_600_000;

  @Test
  void anAgentKeepsItsEventsOfAnHourUpToTheBudgetThenOneThatSaysSoAndTheNextHourStartsAgain() {
    EventBudget budget = new EventBudget();
    long at = 10 * HOUR;
    List<Admission> flapping = new ArrayList<>();
    for (int i = 0; i < EventBudget.PER_HOUR + 3; i++) {
      flapping.add(budget.admit("flapping", at + i));
    }

    assertThat(flapping.subList(0, EventBudget.PER_HOUR)).containsOnly(Admission.KEEP);
    assertThat(flapping.subList(EventBudget.PER_HOUR, flapping.size()))
        .containsExactly(Admission.LAST, Admission.DROP, Admission.DROP);
    assertThat(budget.admit("quiet", at + 1_000)).isEqualTo(Admission.KEEP);
    assertThat(budget.admit("flapping", at + HOUR)).isEqualTo(Admission.KEEP);
  }
}

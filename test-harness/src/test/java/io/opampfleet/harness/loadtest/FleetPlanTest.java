package io.opampfleet.harness.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

class FleetPlanTest {
  private final FleetPlan plan = new FleetPlan(List.of(URI.create("ws://a"), URI.create("ws://b"), URI.create("ws://c"),
      URI.create("ws://d")), 0, 1200, 0, 100, "0", 30, 0, 0, Map.of(), 0);

  @Test
  void agentsAreSpreadOverTheServersByIndex() {
    assertThat(serversAfter(0, index -> true)).containsExactlyInAnyOrderEntriesOf(Map.of("ws://a", 300, "ws://b", 300,
        "ws://c", 300, "ws://d", 300));
  }

  @Test
  void theAgentsOfAServerThatIsGoneMoveEvenlyToEachOtherOneNotAllToTheNext() {
    // The agents of b, after one move each.
    Map<String, Integer> moved = serversAfter(1, index -> plan.endpointOf(index).toString().equals("ws://b"));
    assertThat(moved).containsExactlyInAnyOrderEntriesOf(Map.of("ws://a", 100, "ws://c", 100, "ws://d", 100));
    // Each one's next moves try the other two, then b again.
    for (int index = 1; index < plan.count(); index += 4) {
      List<String> tried = new ArrayList<>();
      for (int moves = 0; moves < 4; moves++) {
        tried.add(plan.endpointOf(index, moves).toString());
      }
      assertThat(tried).containsExactlyInAnyOrder("ws://a", "ws://b", "ws://c", "ws://d").startsWith("ws://b");
    }
  }

  private Map<String, Integer> serversAfter(int moves, IntPredicate of) {
    Map<String, Integer> counts = new TreeMap<>();
    for (int index = 0; index < plan.count(); index++) {
      if (of.test(index)) {
        counts.merge(plan.endpointOf(index, moves).toString(), 1, Integer::sum);
      }
    }
    return counts;
  }
}

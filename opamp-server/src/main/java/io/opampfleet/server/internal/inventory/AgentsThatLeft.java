package io.opampfleet.server.internal.inventory;

import io.opampfleet.proto.AvailableComponents;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What the agents whose connections here ended held, until a count of the store shared by servers has
 * them (see {@link ReportedStateBudget#sharingStore}). One entry a uid: an agent that says goodbye again
 * and again replaces its own, and one back here is dropped (memory counts it). A list of components
 * agents share counts once between two counts. An entry stays through the successful count after the
 * first one begun after it left: its row may not have been written yet when that one read the store.
 * Not thread-safe: the budget's lock guards it.
 */
final class AgentsThatLeft {
  private record Left(long bytes, long countsBegun) {}

  private final Map<String, Left> byUid = new HashMap<>();
  private final Set<AvailableComponents> listsCounted = Collections.newSetFromMap(new IdentityHashMap<>());
  private long bytes;
  private long countsBegun;
  /** Where the last count that ended began: entries from before it are in the store's count now. */
  private long lastCountBegun;

  void add(Agent agent) {
    long held = ReportedStateBudget.PER_AGENT_BYTES + agent.reportedBytes(listsCounted);
    Left was = byUid.get(agent.uid());
    if (was != null) {
      // Its list of components may be counted in its entry already, and not again now.
      held = Math.max(held, was.bytes());
    }
    byUid.put(agent.uid(), new Left(held, countsBegun));
    bytes += held - (was == null ? 0 : was.bytes());
  }

  /** The agent is connected here again. */
  void back(Agent agent) {
    Left was = byUid.remove(agent.uid());
    if (was != null) {
      bytes -= was.bytes();
    }
  }

  /** A count of the store begins; hand what this returns to {@link #counted}. */
  long countBegins() {
    return ++countsBegun;
  }

  /**
   * The count {@code begun} ended: agents that left before the last count that ended began are in the
   * store's count (a count that failed does not shorten the wait).
   */
  void counted(long begun) {
    long before = lastCountBegun;
    byUid.values().removeIf(left -> {
      boolean inStoreCount = left.countsBegun() < before;
      if (inStoreCount) {
        bytes -= left.bytes();
      }
      return inStoreCount;
    });
    lastCountBegun = begun;
    listsCounted.clear();
  }

  long bytes() {
    return bytes;
  }
}

package io.opampfleet.server.internal.inventory;

import io.opampfleet.server.internal.selector.LabelSelector;
import java.util.List;

/**
 * Every agent of the fleet, wherever it is connected: what the fleet view lists and selectors
 * match. A server alone has them all in its {@link Inventory}; servers sharing a store read them
 * from it.
 */
public interface Fleet {
  /**
   * Each agent as the fleet view shows it: what it reports and is wanted to run. Servers sharing a
   * store leave out its effective config, packages and available components (read when one agent
   * is looked at).
   */
  List<AgentSnapshot> overview();

  /** The agents a selector matches, whole, to act on. */
  List<Agent> matching(LabelSelector selector);

  /** The uids of the agents a selector matches, to count or list them. */
  default List<String> uidsMatching(LabelSelector selector) {
    return overview().stream().filter(agent -> selector.matches(agent.labels())).map(AgentSnapshot::uid).toList();
  }
}

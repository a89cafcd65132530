package io.opampfleet.server.inventory;

import io.opampfleet.server.selector.LabelSelector;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Every agent the server has heard of, by instance uid, held in memory (the store keeps a copy):
 * tens of thousands of agents fit, and reads never wait for a disk.
 */
public final class Inventory {
  private final ConcurrentHashMap<String, Agent> agents = new ConcurrentHashMap<>();
  private final List<Consumer<Agent>> listeners = new CopyOnWriteArrayList<>();
  private final String replica;
  private final Function<String, Optional<AgentSnapshot>> store;

  /**
   * @param replica the name of this server among those sharing the store
   * @param store reads an agent this server has not met from the store others share with it
   */
  public Inventory(String replica, Function<String, Optional<AgentSnapshot>> store) {
    this.replica = replica;
    this.store = store;
  }

  public Inventory() {
    this("local", uid -> Optional.empty());
  }

  public String replica() {
    return replica;
  }

  public Optional<Agent> find(String uid) {
    return Optional.ofNullable(agents.get(uid));
  }

  /**
   * The agent, also when another server sharing the store met it after this one started: it is read
   * from the store then (disconnected here), so an operator can act on it from any server.
   */
  public Optional<Agent> findOrLoad(String uid) {
    return find(uid).or(() -> store.apply(uid).map(stored -> {
      restore(stored);
      return agents.get(uid);
    }));
  }

  public Agent findOrAdd(String uid) {
    return agents.computeIfAbsent(uid, Agent::new);
  }

  /** Puts back an agent read from the store at start. */
  public void restore(AgentSnapshot stored) {
    findOrAdd(stored.uid()).restore(stored);
  }

  public Collection<Agent> all() {
    return agents.values();
  }

  /** The uids of the agents whose connection this server holds. */
  public List<String> heldHere() {
    List<String> held = new ArrayList<>();
    for (Agent agent : agents.values()) {
      if (agent.heldHere()) {
        held.add(agent.uid());
      }
    }
    return held;
  }

  public int size() {
    return agents.size();
  }

  public List<Agent> matching(LabelSelector selector) {
    List<Agent> matched = new ArrayList<>();
    for (Agent agent : agents.values()) {
      if (selector.matches(agent.labels())) {
        matched.add(agent);
      }
    }
    return matched;
  }

  /** Hears of every change to an agent's reported state (called on the thread that made it). */
  public void onChange(Consumer<Agent> listener) {
    listeners.add(listener);
  }

  /** Tells the listeners that what the agent reports changed (here, or on a server sharing the store). */
  public void changed(Agent agent) {
    for (Consumer<Agent> listener : listeners) {
      listener.accept(agent);
    }
  }
}

package io.opampfleet.server.internal.inventory;

import io.opampfleet.server.internal.selector.LabelSelector;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The agents this server works with, by instance uid, held in memory (the store keeps a copy). A
 * server alone holds every agent it has met: tens of thousands fit, and reads never wait for a
 * disk. A server sharing the store with others holds those connected to it, and reads the others
 * from the store while it acts on them (a push, a rollout it drives); it lets them go when idle.
 */
public final class Inventory implements Fleet {
  /** How long an agent read from the store stays after its last use, when nothing here needs it. */
  public static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final ConcurrentHashMap<String, Agent> agents = new ConcurrentHashMap<>();
  private final List<Consumer<Agent>> listeners = new CopyOnWriteArrayList<>();
  private final String replica;
  private final Function<Collection<String>, List<AgentSnapshot>> store;

  /**
   * @param replica the name of this server among those sharing the store
   * @param store reads the agents of these uids that the store has, for agents this server does not hold
   */
  public Inventory(String replica, Function<Collection<String>, List<AgentSnapshot>> store) {
    this.replica = replica;
    this.store = store;
  }

  /** A server alone: every agent it knows is here. */
  public Inventory() {
    this("local", uids -> List.of());
  }

  public String replica() {
    return replica;
  }

  /** The agent, when it is here; looking does not keep it here. */
  public Optional<Agent> find(String uid) {
    return Optional.ofNullable(agents.get(uid));
  }

  /**
   * The agent, also when another server sharing the store met it: it is read from the store then
   * (connected there, not here), so an operator can act on it from any server.
   */
  public Optional<Agent> findOrLoad(String uid) {
    return load(List.of(uid)).stream().findFirst();
  }

  /**
   * A new agent, for a uid {@link #findOrLoad} found neither here nor in the store; the one here
   * when another message of the uid added it first.
   */
  public Agent add(String uid) {
    return agents.compute(uid, (key, present) -> {
      Agent agent = present == null ? new Agent(uid) : present;
      agent.touch();
      return agent;
    });
  }

  /**
   * The agents of these uids this server has or the store has; those read from the store stay here a
   * while. One here that this server does not hold is read again: another server may have heard from
   * it since this one last followed it, and what this server does with it next (link it to a new
   * connection, act on it) must start from that.
   */
  public List<Agent> load(Collection<String> uids) {
    List<Agent> found = new ArrayList<>();
    List<String> toRead = new ArrayList<>();
    for (String uid : uids) {
      // Touched under the map's lock for the uid, so that forgetIdle either sees the use or went first.
      Agent agent = agents.computeIfPresent(uid, (key, present) -> {
        present.touch();
        return present;
      });
      if (agent != null && agent.heldHere()) {
        found.add(agent);
      } else {
        toRead.add(uid);
      }
    }
    if (toRead.isEmpty()) {
      return found;
    }
    Set<String> unread = new LinkedHashSet<>(toRead);
    List<Agent> followed = new ArrayList<>();
    for (AgentSnapshot stored : store.apply(toRead)) {
      unread.remove(stored.uid());
      Agent agent = agents.compute(stored.uid(), (uid, present) -> {
        Agent kept = present;
        if (kept == null) {
          kept = new Agent(uid);
          kept.restore(stored);
        } else if (kept.follow(stored)) {
          followed.add(kept);
        }
        kept.touch();
        return kept;
      });
      found.add(agent);
    }
    // The store has none of these (a server alone keeps everything here): they are as they are.
    for (String uid : unread) {
      find(uid).ifPresent(found::add);
    }
    followed.forEach(this::changed);
    return found;
  }

  /**
   * For an agent linked here whose messages may reach any server sharing the store (HTTP polling):
   * takes what it reported to another since it last spoke here. One store read; none for a server alone.
   */
  public void catchUp(String uid) {
    Agent agent = agents.get(uid);
    if (agent == null || !agent.heldHere()) {
      return;
    }
    for (AgentSnapshot stored : store.apply(List.of(uid))) {
      if (agent.catchUp(stored)) {
        changed(agent);
      }
    }
  }

  /** Puts back an agent read from the store at start. */
  public void restore(AgentSnapshot stored) {
    agents.computeIfAbsent(stored.uid(), Agent::new).restore(stored);
  }

  /** Every agent here: on a server sharing the store, those it holds or works with now. */
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

  @Override
  public List<AgentSnapshot> overview() {
    List<AgentSnapshot> snapshots = new ArrayList<>(agents.size());
    for (Agent agent : agents.values()) {
      snapshots.add(agent.snapshot());
    }
    return snapshots;
  }

  @Override
  public List<Agent> matching(LabelSelector selector) {
    List<Agent> matched = new ArrayList<>();
    for (Agent agent : agents.values()) {
      if (selector.matches(agent.labels())) {
        matched.add(agent);
      }
    }
    return matched;
  }

  /**
   * Lets go of the agents not connected here, unused for {@link #IDLE_NANOS}, that nothing here
   * {@code needs}: the store has them. Returns how many went.
   */
  public int forgetIdle(Predicate<String> needs, long nowNanos) {
    int[] forgotten = {0};
    for (String uid : List.copyOf(agents.keySet())) {
      // Decided under the map's lock for the uid: a use (which touches under it) is seen, or comes after.
      agents.computeIfPresent(uid, (key, agent) -> {
        if (agent.heldHere() || nowNanos - agent.touchedNanos() <= IDLE_NANOS || needs.test(uid)) {
          return agent;
        }
        forgotten[0]++;
        return null;
      });
    }
    return forgotten[0];
  }

  /**
   * Lets go of agents the store forgot (silent for too long), unless one has connected here since:
   * those are returned, for their rows to be written again.
   */
  public List<Agent> forget(Collection<String> uids) {
    List<Agent> kept = new ArrayList<>();
    for (String uid : uids) {
      agents.computeIfPresent(uid, (key, agent) -> {
        if (agent.connected()) {
          kept.add(agent);
          return agent;
        }
        return null;
      });
    }
    return kept;
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

package io.opampfleet.server.internal.replicas;

import com.google.common.base.Suppliers;
import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.AgentSnapshot;
import io.opampfleet.server.internal.inventory.Fleet;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.selector.LabelSelector;
import io.opampfleet.server.internal.store.AgentRows;
import io.opampfleet.server.internal.store.Database;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The fleet as the store shared by several servers has it: no server keeps the agents the others
 * hold. The agents held here are taken as this server has them (their last heartbeat may not be
 * written yet); in views, the others as the store had them at most {@link #FRESH_FOR} ago, so the
 * fleet page, its live stream and a metrics scrape arriving together read the table once.
 */
public final class StoredFleet implements Fleet {
  static final Duration FRESH_FOR = Duration.ofSeconds(1);

  private final Database database;
  private final BiFunction<String, Integer, ConfigVersion> versions;
  private final ReplicaPresence presence;
  private final Inventory inventory;
  private final Supplier<List<AgentSnapshot>> recent;

  public StoredFleet(Database database, BiFunction<String, Integer, ConfigVersion> versions,
      ReplicaPresence presence, Inventory inventory) {
    this.database = database;
    this.versions = versions;
    this.presence = presence;
    this.inventory = inventory;
    this.recent = Suppliers.memoizeWithExpiration(this::read, FRESH_FOR);
  }

  @Override
  public List<AgentSnapshot> overview() {
    return withHeldHere(recent.get());
  }

  /**
   * Reads the agents the selector matches whole; they stay on this server while it acts on them.
   * Matched on the store as it is now, not as last shown: an agent that joined a moment ago is in.
   */
  @Override
  public List<Agent> matching(LabelSelector selector) {
    return inventory.load(withHeldHere(read()).stream().filter(agent -> selector.matches(agent.labels()))
        .map(AgentSnapshot::uid).toList());
  }

  private List<AgentSnapshot> read() {
    return AgentRows.overview(database, versions, presence::aliveElsewhere);
  }

  private List<AgentSnapshot> withHeldHere(List<AgentSnapshot> stored) {
    Map<String, AgentSnapshot> held = new LinkedHashMap<>();
    for (Agent agent : inventory.all()) {
      if (agent.heldHere()) {
        held.put(agent.uid(), agent.snapshot());
      }
    }
    List<AgentSnapshot> fleet = new ArrayList<>();
    for (AgentSnapshot row : stored) {
      AgentSnapshot here = held.remove(row.uid());
      fleet.add(here == null ? row : here);
    }
    fleet.addAll(held.values());
    return fleet;
  }
}

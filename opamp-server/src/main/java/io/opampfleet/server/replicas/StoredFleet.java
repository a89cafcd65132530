package io.opampfleet.server.replicas;

import io.opampfleet.server.configs.ConfigVersion;
import io.opampfleet.server.inventory.Agent;
import io.opampfleet.server.inventory.AgentSnapshot;
import io.opampfleet.server.inventory.Fleet;
import io.opampfleet.server.inventory.Inventory;
import io.opampfleet.server.selector.LabelSelector;
import io.opampfleet.server.store.AgentRows;
import io.opampfleet.server.store.Database;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The fleet as the store shared by several servers has it, read at each call: no server keeps the
 * agents the others hold. The agents held here are taken as this server has them (their last
 * heartbeat may not be written yet).
 */
public final class StoredFleet implements Fleet {
  private final Database database;
  private final BiFunction<String, Integer, ConfigVersion> versions;
  private final ReplicaPresence presence;
  private final Inventory inventory;

  public StoredFleet(Database database, BiFunction<String, Integer, ConfigVersion> versions,
      ReplicaPresence presence, Inventory inventory) {
    this.database = database;
    this.versions = versions;
    this.presence = presence;
    this.inventory = inventory;
  }

  @Override
  public List<AgentSnapshot> overview() {
    Map<String, AgentSnapshot> held = new LinkedHashMap<>();
    for (Agent agent : inventory.all()) {
      if (agent.heldHere()) {
        held.put(agent.uid(), agent.snapshot());
      }
    }
    List<AgentSnapshot> fleet = new ArrayList<>();
    for (AgentSnapshot stored : AgentRows.overview(database, versions, presence::aliveElsewhere)) {
      AgentSnapshot here = held.remove(stored.uid());
      fleet.add(here == null ? stored : here);
    }
    fleet.addAll(held.values());
    return fleet;
  }

  /** Reads the agents the selector matches whole; they stay on this server while it acts on them. */
  @Override
  public List<Agent> matching(LabelSelector selector) {
    return inventory.load(uidsMatching(selector));
  }
}

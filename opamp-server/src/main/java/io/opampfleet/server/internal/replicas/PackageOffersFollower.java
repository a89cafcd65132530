package io.opampfleet.server.internal.replicas;

import io.opampfleet.server.internal.hosting.PackageOffers;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.opamp.AgentCommands;
import io.opampfleet.server.internal.packages.HostedPackage;
import io.opampfleet.server.internal.store.PackageRepository;
import io.opampfleet.server.internal.store.WriteBehind;
import java.sql.Connection;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Brings the packages another server sharing the store offered an agent to this one: the agent's
 * set is read from the store, and sent at once when this server holds the agent and it lacks it.
 */
public final class PackageOffersFollower implements StoreFollower {
  private final Inventory inventory;
  private final PackageRepository packages;
  private final PackageOffers offers;
  private final AgentCommands commands;
  private final WriteBehind writes;

  public PackageOffersFollower(Inventory inventory, PackageRepository packages, PackageOffers offers,
      AgentCommands commands, WriteBehind writes) {
    this.inventory = inventory;
    this.packages = packages;
    this.offers = offers;
    this.commands = commands;
    this.writes = writes;
  }

  @Override
  public String channel() {
    return WriteBehind.PACKAGES_CHANNEL;
  }

  @Override
  public void follow(Connection connection, Collection<String> uids) {
    // An offer made here and not yet written is newer than what the store has.
    List<String> settled = uids.stream().filter(uid -> !writes.offerUnwritten(uid)).toList();
    Map<String, List<HostedPackage>> stored = packages.offeredTo(settled);
    for (String uid : settled) {
      offers.reload(uid, stored.getOrDefault(uid, List.of()));
      inventory.find(uid).filter(Agent::heldHere).ifPresent(commands::sendPackages);
    }
  }

  /** The agents held here are compared with the store: those are the ones a missed signal would leave wanting. */
  @Override
  public void repair(Connection connection) {
    List<String> held = inventory.heldHere();
    for (int from = 0; from < held.size(); from += 1000) {
      follow(connection, held.subList(from, Math.min(held.size(), from + 1000)));
    }
  }
}

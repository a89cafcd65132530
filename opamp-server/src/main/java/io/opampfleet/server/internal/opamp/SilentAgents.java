package io.opampfleet.server.internal.opamp;

import io.opampfleet.server.internal.hosting.PackageOffers;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.store.AgentRows;
import io.opampfleet.server.internal.store.Database;
import io.opampfleet.server.internal.store.WriteBehind;
import java.time.Duration;
import java.util.List;

/**
 * Forgets the agents neither connected nor heard from for {@code agents::forget_after}: out of the
 * store (with what the fleet wanted of them and the packages offered to them) and out of memory.
 */
public final class SilentAgents {
  /**
   * Nothing is forgotten before the server has run this long: agents silent only because the server
   * was down get the time to come back.
   */
  static final Duration GRACE_AFTER_START = Duration.ofHours(1);

  private final Database database;
  private final Inventory inventory;
  private final WriteBehind writes;
  private final PackageOffers offers;
  private final long startedNanos;

  public SilentAgents(Database database, Inventory inventory, WriteBehind writes, PackageOffers offers,
      long startedNanos) {
    this.database = database;
    this.inventory = inventory;
    this.writes = writes;
    this.offers = offers;
    this.startedNanos = startedNanos;
  }

  /** Forgets those silent since {@code before} (the store's clock, ms); returns how many went. */
  public int forget(long before) {
    if (System.nanoTime() - startedNanos < GRACE_AFTER_START.toNanos()) {
      return 0;
    }
    List<String> forgotten = AgentRows.forgetSilentSince(database, before);
    forgotten.forEach(uid -> offers.reload(uid, List.of()));
    // One that connected here as its row went: written again whole, what the fleet wants of it included.
    for (Agent back : inventory.forget(forgotten)) {
      back.unstored();
      writes.agent(back);
      writes.desired(back);
    }
    return forgotten.size();
  }
}

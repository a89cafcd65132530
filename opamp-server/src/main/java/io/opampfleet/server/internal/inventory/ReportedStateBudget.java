package io.opampfleet.server.internal.inventory;

import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AvailableComponents;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The most the server holds of what all agents together reported: {@link ReportLimits} bounds one
 * agent, this bounds how many a stranger can make up (new uids, each with a report near its limits).
 * A message that would take the fleet past it is refused before anything of it is kept: a new agent
 * past nine tenths of it, a known one's larger parts past the whole. The last tenth is the known
 * agents' room to grow (a rollout to a larger config makes every APPLIED report carry a larger
 * effective config); a known agent's reports that keep or shrink what it holds pass (but see below).
 *
 * <p>A part counts what it takes in the heap parsed ({@link HeldSize}: many small entries take many
 * times their encoded bytes), and a list of available components that agents share counts once. The
 * fleet is counted at most once a second (every agent's parts, whose sizes it keeps as they change); in
 * between, the growth admitted is added to the count, so the count runs ahead of the truth
 * rather than behind it (but for the few messages being applied as it is counted, each within the
 * message limit).
 *
 * <p>Servers sharing a store hold only the agents connected to them: an agent that connected once and
 * left is let go, but the store keeps what it reported for {@code agents::forget_after}. Such a server
 * counts the agents connected to it in memory, and the others as the store holds them ({@link
 * #storeCounted}, every few seconds), so strangers' uids that come and go fill neither the heap nor the
 * store. An agent whose connection here ended ({@link #left}) counts as it was until the store's count
 * has it ({@link AgentsThatLeft}).
 *
 * <p>A report that replaces an agent's large part with one no agent on this server holds makes the
 * store a new body, and the old one stays until it is pruned: the new bodies made within {@link
 * #REPLACED_KEPT} count too, but for each agent's first replacement in that time (a rollout replaces
 * each agent's config once), and such a report is refused when it would pass the ceiling, even one
 * that keeps or shrinks what the agent holds. An agent reporting another large config again and again
 * would otherwise fill the disk. With a store shared by servers, the store's count adds the bodies no
 * agent refers to any more, whichever server's agents left them.
 */
public final class ReportedStateBudget {
  /**
   * What an agent costs beyond its reported parts: its record, labels and connection state. A fleet
   * of 50,000 at rest measured about 3.5 KB of heap an agent, its 1.4 KB effective config and its
   * description included.
   */
  public static final long PER_AGENT_BYTES = 2048;
  private static final long RECOUNT_NANOS = Duration.ofSeconds(1).toNanos();
  /**
   * How long the store keeps a body no part refers to any more, with the time the pruning may take to
   * come round (ten minutes, pruned every minute on a thread it shares: {@code
   * PartBodies#KEPT_UNREFERENCED}); an amount counts at least a minute less than this.
   */
  static final Duration REPLACED_KEPT = Duration.ofMinutes(13);

  private final long maxBytes;
  private final Inventory inventory;
  private final LongSupplier nanos;
  /** Whether agents not connected here are counted from the store rather than from memory. */
  private final boolean sharedStore;
  private long counted;
  private long countedAt;
  private boolean everCounted;
  private long admittedSince;
  /** What the store held of agents not connected here, at its last count. */
  private long stored;
  private final AgentsThatLeft left = new AgentsThatLeft();
  /** Encoded bytes of the large parts agents replaced, while the store may keep them. */
  private final RecentTotal replaced = new RecentTotal(REPLACED_KEPT);

  /** A server alone: every agent it knows is in its memory, and counted there. */
  public ReportedStateBudget(long maxBytes, Inventory inventory, LongSupplier nanos) {
    this(maxBytes, inventory, nanos, false);
  }

  private ReportedStateBudget(long maxBytes, Inventory inventory, LongSupplier nanos, boolean sharedStore) {
    this.maxBytes = maxBytes;
    this.inventory = inventory;
    this.nanos = nanos;
    this.sharedStore = sharedStore;
  }

  /** A server sharing its store with others: agents not connected here count as {@link #storeCounted} says. */
  public static ReportedStateBudget sharingStore(long maxBytes, Inventory inventory, LongSupplier nanos) {
    return new ReportedStateBudget(maxBytes, inventory, nanos, true);
  }

  /** Why the message cannot be kept within the budget, or empty when it can (and is then counted). */
  public Optional<String> problem(Optional<Agent> known, AgentToServer message) {
    // Sized before the lock: many agents' messages are sized at once.
    long growth = known.map(agent -> agent.growthFrom(message))
        .orElseGet(() -> PER_AGENT_BYTES + new Agent("a new agent").growthFrom(message));
    long replacing = known.map(agent -> agent.newBodyBytesFrom(message)).orElse(0L);
    long now = nanos.getAsLong();
    boolean free = replacing > 0 && known.get().replacementFree(now, REPLACED_KEPT.toNanos());
    Optional<String> problem = growth <= 0 && (replacing == 0 || free) ? Optional.empty()
        : admit(known.isPresent(), growth, free ? 0 : replacing);
    if (free && problem.isEmpty()) {
      // Taken only by a report the ceiling admits: a refused one leaves it for the retry.
      known.get().takeFreeReplacement(now);
    }
    return problem;
  }

  private synchronized Optional<String> admit(boolean known, long growth, long replacing) {
    long held = held();
    long ceiling = known ? maxBytes : maxBytes / 10 * 9;
    if (held + Math.max(growth, 0) + replacing > ceiling) {
      return Optional.of((known ? "" : "a new agent: ") + "the agents' reported state the server holds"
          + " is at its ceiling (" + held + " of " + maxBytes + " bytes, agents::max_reported_bytes"
          + (known ? "" : "; new agents take nine tenths of it")
          + (replacing > 0 ? "; large parts agents replaced count for " + REPLACED_KEPT.toMinutes()
              + " minutes, as long as the store may keep them" : "") + ")");
    }
    admittedSince += Math.max(growth, 0);
    replaced.add(replacing, nanos.getAsLong());
    return Optional.empty();
  }

  /** The agent's connection here ended: it is no longer counted in memory, and not yet by the store's count. */
  public synchronized void left(Agent agent) {
    if (sharedStore) {
      left.add(agent);
    }
  }

  /** The agent is connected here again: counted in memory, no longer as it left. */
  public synchronized void back(Agent agent) {
    if (sharedStore) {
      left.back(agent);
    }
  }

  /** Called as a count of the store begins; hand what it returns to {@link #storeCounted}. */
  public synchronized long storeCountBegins() {
    return left.countBegins();
  }

  /**
   * What the store holds of the agents not connected here, counted from {@code begun} ({@link
   * #storeCountBegins}): {@code agents} of them, {@code bytes} of what they reported as stored.
   */
  public synchronized void storeCounted(long begun, long agents, long bytes) {
    stored = agents * PER_AGENT_BYTES + bytes;
    left.counted(begun);
  }

  /** Bytes held of all agents' reported state, as last counted with what was admitted since. */
  public synchronized long held() {
    long now = nanos.getAsLong();
    if (!everCounted || now - countedAt >= RECOUNT_NANOS) {
      Set<AvailableComponents> listsCounted = Collections.newSetFromMap(new IdentityHashMap<>());
      counted = inventory.all().stream().filter(agent -> !sharedStore || agent.heldHere())
          .mapToLong(agent -> PER_AGENT_BYTES + agent.reportedBytes(listsCounted)).sum();
      countedAt = now;
      everCounted = true;
      admittedSince = 0;
    }
    return counted + admittedSince + stored + left.bytes() + replaced.total(now);
  }

  public long maxBytes() {
    return maxBytes;
  }
}

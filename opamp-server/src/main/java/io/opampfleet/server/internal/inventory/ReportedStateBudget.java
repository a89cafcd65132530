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
 * effective config); a known agent's reports that keep or shrink what it holds always pass.
 *
 * <p>A part counts what it takes in the heap parsed ({@link HeldSize}: many small entries take many
 * times their encoded bytes), and a list of available components that agents share counts once. The
 * fleet is counted at most once a second (every agent's parts, whose sizes it keeps as they change); in
 * between, the growth admitted is added to the count, so the count runs ahead of the truth
 * rather than behind it (but for the few messages being applied as it is counted, each within the
 * message limit).
 */
public final class ReportedStateBudget {
  /**
   * What an agent costs beyond its reported parts: its record, labels and connection state. A fleet
   * of 50,000 at rest measured about 3.5 KB of heap an agent, its 1.4 KB effective config and its
   * description included.
   */
  public static final long PER_AGENT_BYTES = 2048;
  private static final long RECOUNT_NANOS = Duration.ofSeconds(1).toNanos();

  private final long maxBytes;
  private final Inventory inventory;
  private final LongSupplier nanos;
  private long counted;
  private long countedAt;
  private boolean everCounted;
  private long admittedSince;

  public ReportedStateBudget(long maxBytes, Inventory inventory, LongSupplier nanos) {
    this.maxBytes = maxBytes;
    this.inventory = inventory;
    this.nanos = nanos;
  }

  /** Why the message cannot be kept within the budget, or empty when it can (and is then counted). */
  public Optional<String> problem(Optional<Agent> known, AgentToServer message) {
    // Sized before the lock: many agents' messages are sized at once.
    long growth = known.map(agent -> agent.growthFrom(message))
        .orElseGet(() -> PER_AGENT_BYTES + new Agent("a new agent").growthFrom(message));
    return growth <= 0 ? Optional.empty() : admit(known.isPresent(), growth);
  }

  private synchronized Optional<String> admit(boolean known, long growth) {
    long held = held();
    long ceiling = known ? maxBytes : maxBytes / 10 * 9;
    if (held + growth > ceiling) {
      return Optional.of((known ? "" : "a new agent: ") + "the agents' reported state the server holds"
          + " is at its ceiling (" + held + " of " + maxBytes + " bytes, agents::max_reported_bytes"
          + (known ? "" : "; new agents take nine tenths of it") + ")");
    }
    admittedSince += growth;
    return Optional.empty();
  }

  /** Bytes held of all agents' reported state, as last counted with what was admitted since. */
  public synchronized long held() {
    long now = nanos.getAsLong();
    if (!everCounted || now - countedAt >= RECOUNT_NANOS) {
      Set<AvailableComponents> listsCounted = Collections.newSetFromMap(new IdentityHashMap<>());
      counted = inventory.all().stream().mapToLong(agent -> PER_AGENT_BYTES + agent.reportedBytes(listsCounted)).sum();
      countedAt = now;
      everCounted = true;
      admittedSince = 0;
    }
    return counted + admittedSince;
  }

  public long maxBytes() {
    return maxBytes;
  }
}

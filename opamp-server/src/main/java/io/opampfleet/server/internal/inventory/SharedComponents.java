package io.opampfleet.server.internal.inventory;

import com.google.common.cache.CacheBuilder;
import com.google.common.collect.Interner;
import com.google.common.collect.Interners;
import io.opampfleet.proto.AvailableComponents;
import java.util.concurrent.ConcurrentMap;

/**
 * One instance of each list of available components the fleet reports. Collectors of one build report
 * the same list (a contrib build's is tens of KB, parsed into thousands of objects), so a fleet holds a
 * handful of lists instead of one per agent. A list no agent holds any more is collected. Lists read
 * from the store are shared as they are read, so an agent keeps the object its stored row was read into
 * (the writer compares objects to find the parts to write).
 */
public final class SharedComponents {
  private static final Interner<AvailableComponents> LISTS = Interners.newWeakInterner();
  /** Each shared list's {@link HeldSize}, counted once (weak keys compare by identity). */
  private static final ConcurrentMap<AvailableComponents, Long> HELD_BYTES =
      CacheBuilder.newBuilder().weakKeys().<AvailableComponents, Long>build().asMap();

  private SharedComponents() {}

  /** The instance equal to {@code reported} that agents already share, or {@code reported} as the first. */
  public static AvailableComponents of(AvailableComponents reported) {
    return reported == null ? null : LISTS.intern(reported);
  }

  /** About what the shared list takes in the heap, whoever holds it. */
  static long heldBytes(AvailableComponents shared) {
    return HELD_BYTES.computeIfAbsent(shared, HeldSize::of);
  }
}

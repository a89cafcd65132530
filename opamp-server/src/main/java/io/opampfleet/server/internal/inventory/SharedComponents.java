package io.opampfleet.server.internal.inventory;

import com.google.common.cache.CacheBuilder;
import io.opampfleet.proto.AvailableComponents;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * One instance of each list of available components the fleet holds. Collectors of one build report
 * the same list (a contrib build's is tens of KB, parsed into thousands of objects), so a fleet holds a
 * handful of lists instead of one per agent. A list nothing holds any more is collected. Lists read
 * from the store are shared as they are read, so an agent keeps the object its stored row was read into
 * (the writer compares objects to find the parts to write).
 *
 * <p>Written on the JDK's weak map rather than Guava's interner: the reported-state ceiling must ask
 * whether an equal list is held without making the one it asks about held.
 */
public final class SharedComponents {
  private static final Map<AvailableComponents, WeakReference<AvailableComponents>> LISTS = new WeakHashMap<>();
  /** Each shared list's {@link HeldSize}, counted once (weak keys compare by identity). */
  private static final ConcurrentMap<AvailableComponents, Long> HELD_BYTES =
      CacheBuilder.newBuilder().weakKeys().<AvailableComponents, Long>build().asMap();

  private SharedComponents() {}

  /** The held instance equal to {@code list}, or {@code list}, held from now on, as the first. */
  public static AvailableComponents of(AvailableComponents list) {
    if (list == null) {
      return null;
    }
    list.hashCode(); // computed once and kept by the message: not under the lock
    synchronized (LISTS) {
      Optional<AvailableComponents> held = heldLocked(list);
      if (held.isPresent()) {
        return held.get();
      }
      LISTS.put(list, new WeakReference<>(list));
      return list;
    }
  }

  /** The held instance equal to {@code list}, if any; asking does not hold {@code list}. */
  static Optional<AvailableComponents> held(AvailableComponents list) {
    list.hashCode();
    synchronized (LISTS) {
      return heldLocked(list);
    }
  }

  private static Optional<AvailableComponents> heldLocked(AvailableComponents list) {
    WeakReference<AvailableComponents> held = LISTS.get(list);
    return Optional.ofNullable(held == null ? null : held.get());
  }

  /** About what the shared list takes in the heap, whoever holds it. */
  static long heldBytes(AvailableComponents shared) {
    return HELD_BYTES.computeIfAbsent(shared, HeldSize::of);
  }
}

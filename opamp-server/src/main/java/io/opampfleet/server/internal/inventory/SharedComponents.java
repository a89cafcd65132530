package io.opampfleet.server.internal.inventory;

import io.opampfleet.proto.AvailableComponents;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;

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
  private static final Map<AvailableComponents, Held> LISTS = new WeakHashMap<>();

  /** A shared list, and its {@link HeldSize} once asked for (counted once, outside the lock). */
  private static final class Held {
    final WeakReference<AvailableComponents> list;
    volatile long bytes = -1;

    Held(AvailableComponents list) {
      this.list = new WeakReference<>(list);
    }
  }

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
      LISTS.put(list, new Held(list));
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
    Held held = LISTS.get(list);
    return Optional.ofNullable(held == null ? null : held.list.get());
  }

  /** About what the shared list takes in the heap, whoever holds it. */
  static long heldBytes(AvailableComponents shared) {
    Held held;
    synchronized (LISTS) {
      held = LISTS.get(shared);
    }
    if (held == null || held.list.get() != shared) {
      return HeldSize.of(shared);
    }
    if (held.bytes < 0) {
      held.bytes = HeldSize.of(shared);
    }
    return held.bytes;
  }
}

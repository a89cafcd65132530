package io.opampfleet.server.internal.inventory;

import com.google.protobuf.Message;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.EffectiveConfig;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;

/**
 * One instance of each equal part the fleet holds, of one kind. Collectors of one build report the
 * same list of available components (a contrib build's is tens of KB, parsed into thousands of
 * objects), and those a rollout reached the same effective config, so a fleet holds a handful of each
 * instead of one per agent. A part nothing holds any more is collected. Parts read from the store are
 * shared as they are read, so an agent keeps the object its stored row was read into (the writer
 * compares objects to find the parts to write). Protobuf messages are immutable: sharing is safe.
 *
 * <p>Written on the JDK's weak map rather than Guava's interner: the reported-state ceiling must ask
 * whether an equal part is held without making the one it asks about held.
 */
public final class SharedMessages<T extends Message> {
  public static final SharedMessages<AvailableComponents> COMPONENTS = new SharedMessages<>();
  public static final SharedMessages<EffectiveConfig> EFFECTIVE_CONFIGS = new SharedMessages<>();

  private final Map<T, Held<T>> shared = new WeakHashMap<>();

  /** A shared part, and its {@link HeldSize} once asked for (counted once, outside the lock). */
  private static final class Held<T> {
    final WeakReference<T> part;
    volatile long bytes = -1;

    Held(T part) {
      this.part = new WeakReference<>(part);
    }
  }

  private SharedMessages() {}

  /** The held instance equal to {@code part}, or {@code part}, held from now on, as the first. */
  public T of(T part) {
    if (part == null) {
      return null;
    }
    part.hashCode(); // computed once and kept by the message: not under the lock
    synchronized (shared) {
      Optional<T> held = heldLocked(part);
      if (held.isPresent()) {
        return held.get();
      }
      shared.put(part, new Held<>(part));
      return part;
    }
  }

  /** The held instance equal to {@code part}, if any; asking does not hold {@code part}. */
  Optional<T> held(T part) {
    part.hashCode();
    synchronized (shared) {
      return heldLocked(part);
    }
  }

  private Optional<T> heldLocked(T part) {
    Held<T> held = shared.get(part);
    return Optional.ofNullable(held == null ? null : held.part.get());
  }

  /**
   * About what {@code part} takes in the heap: an equal part held here is sized once, whoever holds
   * or reports it; another is sized now.
   */
  long bytes(T part) {
    part.hashCode();
    Held<T> held;
    synchronized (shared) {
      held = shared.get(part);
    }
    T sharedPart = held == null ? null : held.part.get();
    if (sharedPart == null) {
      return HeldSize.of(part);
    }
    if (held.bytes < 0) {
      held.bytes = HeldSize.of(sharedPart);
    }
    return held.bytes;
  }
}

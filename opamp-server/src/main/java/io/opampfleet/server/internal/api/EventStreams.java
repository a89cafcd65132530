package io.opampfleet.server.internal.api;

import java.util.concurrent.atomic.AtomicInteger;

/** The admin listener's open server-sent event streams, at most {@code limit} at once. */
final class EventStreams {
  private final AtomicInteger open = new AtomicInteger();
  private final int limit;

  EventStreams(int limit) {
    this.limit = limit;
  }

  /** Takes a place for a new stream, or says no when all are taken. */
  boolean tryOpen() {
    if (open.incrementAndGet() > limit) {
      open.decrementAndGet();
      return false;
    }
    return true;
  }

  void closed() {
    open.decrementAndGet();
  }

  int limit() {
    return limit;
  }
}

package io.opampfleet.netty.server.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of agents' messages the whole server holds at once, from the first byte read to the
 * reply written. Each connection holds at most one message, but many connections together could
 * still take the heap: past this budget a new message is refused until others are answered.
 */
final class MessageBudget {
  private final AtomicLong free;
  private final long total;

  MessageBudget(long bytes) {
    this.free = new AtomicLong(bytes);
    this.total = bytes;
  }

  boolean tryTake(long bytes) {
    long left = free.addAndGet(-bytes);
    if (left < 0) {
      free.addAndGet(bytes);
      return false;
    }
    return true;
  }

  void giveBack(long bytes) {
    free.addAndGet(bytes);
  }

  long inUse() {
    return total - free.get();
  }
}

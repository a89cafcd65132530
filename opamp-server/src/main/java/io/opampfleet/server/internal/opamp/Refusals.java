package io.opampfleet.server.internal.opamp;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts refused messages and logs them, at most one line every ten seconds with the number left
 * unsaid: a client that floods the server with bad messages must not flood its log too.
 */
final class Refusals {
  private static final Logger log = LoggerFactory.getLogger(Refusals.class);
  private static final long QUIET_MILLIS = 10_000;

  private final LongSupplier clock;
  private final AtomicLong count = new AtomicLong();
  private long nextLineAt = Long.MIN_VALUE;
  private long unsaid;

  Refusals(LongSupplier clock) {
    this.clock = clock;
  }

  /** {@code uid} and {@code reason} are bounded already: the uid is 16 bytes, the reason the server's own. */
  void refused(String uid, String reason) {
    count.incrementAndGet();
    long now = clock.getAsLong();
    long before;
    synchronized (this) {
      if (now < nextLineAt) {
        unsaid++;
        return;
      }
      before = unsaid;
      unsaid = 0;
      nextLineAt = now + QUIET_MILLIS;
    }
    if (before > 0) {
      log.warn("agent {}: refused: {} ({} more refusals in the last {} s not logged)", uid, reason, before,
          QUIET_MILLIS / 1000);
    } else {
      log.warn("agent {}: refused: {}", uid, reason);
    }
  }

  long count() {
    return count.get();
  }
}

package io.opampfleet.server.internal.opamp;

import com.google.common.util.concurrent.RateLimiter;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.netty.server.ConnectionDecision;
import io.opampfleet.netty.server.ConnectionRequest;
import io.opampfleet.netty.server.Transport;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.Inventory;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many new connections a second the server takes: when a server of several dies, its agents all
 * reconnect to the others at once, and each costs a handshake, a full report and store writes. Past
 * the rate a connection is answered 503 with a Retry-After spread over a few seconds, so the storm
 * comes back as a drizzle. The polls of an HTTP agent this server already holds always pass.
 */
final class ConnectionAdmission {
  /** How long after a connection was deferred the server counts as shedding load. */
  private static final long SHEDDING_NANOS = 1_000_000_000L;

  private final RateLimiter rate;
  private final Inventory inventory;
  private final Duration retryAfter;
  private final AtomicLong deferred = new AtomicLong();
  private volatile long lastDeferredNanos = System.nanoTime() - SHEDDING_NANOS;

  ConnectionAdmission(double perSecond, Duration retryAfter, Inventory inventory) {
    this.rate = RateLimiter.create(perSecond);
    this.retryAfter = retryAfter;
    this.inventory = inventory;
  }

  ConnectionDecision decide(ConnectionRequest request) {
    if (request.transport() == Transport.HTTP && heldHere(request.headers().get(InstanceUid.HEADER))) {
      return ConnectionDecision.accept();
    }
    if (rate.tryAcquire()) {
      return ConnectionDecision.accept();
    }
    deferred.incrementAndGet();
    lastDeferredNanos = System.nanoTime();
    return ConnectionDecision.reject(503, spreadRetryAfter());
  }

  /** While new connections are deferred (and for a second after), how long other work should wait. */
  Optional<Duration> shedding() {
    return System.nanoTime() - lastDeferredNanos < SHEDDING_NANOS ? Optional.of(spreadRetryAfter()) : Optional.empty();
  }

  private Duration spreadRetryAfter() {
    return retryAfter.plusMillis(ThreadLocalRandom.current().nextLong(retryAfter.toMillis() + 1));
  }

  /** New connections answered 503 so far. */
  long deferred() {
    return deferred.get();
  }

  private boolean heldHere(String uid) {
    return uid != null && uid.length() <= 64 && inventory.find(uid).map(Agent::heldHere).orElse(false);
  }
}

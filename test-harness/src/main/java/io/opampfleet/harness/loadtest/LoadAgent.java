package io.opampfleet.harness.loadtest;

import com.google.protobuf.ByteString;
import io.opampfleet.netty.client.ClientCallbacks;
import io.opampfleet.netty.client.OpampClient;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.proto.ServerToAgent;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * One simulated agent: applies each config it is sent after a delay, or reports it FAILED when it
 * is one of the failing ones and the config is marked {@code # fragile}, and notes when things
 * happened (nanoTime; 0 for not yet).
 */
final class LoadAgent implements ClientCallbacks {
  /** The mark of a config the failing agents refuse. */
  static final String FRAGILE = "# fragile";

  private final boolean failing;
  private final ApplyDelay applyDelay;
  private final ScheduledExecutorService timers;
  private final Timeline timeline;
  volatile OpampClient client;
  /** Failed attempts in a row after which an agent with several servers moves to the next one. */
  static final int FAILURES_BEFORE_MOVING = 2;

  /** Makes this agent's client to the n-th server after its own: again for each reconnect or move. */
  volatile IntFunction<OpampClient> factory;
  /** How many servers it has moved on from its own (each after its own had failed it). */
  private volatile int moves;
  private final AtomicInteger failuresInARow = new AtomicInteger();
  /** Whether it has other servers to move to. */
  volatile boolean mayMove;
  volatile long startedAt;
  volatile long connectedAt;
  volatile long receivedAt;
  volatile long appliedAt;
  volatile ByteString lastHash = ByteString.EMPTY;
  private volatile RemoteConfigStatus lastStatus;

  LoadAgent(boolean failing, ApplyDelay applyDelay, ScheduledExecutorService timers, Timeline timeline) {
    this.failing = failing;
    this.applyDelay = applyDelay;
    this.timers = timers;
    this.timeline = timeline;
  }

  @Override
  public void onConnect() {
    failuresInARow.set(0);
    if (connectedAt == 0) {
      connectedAt = System.nanoTime();
      timeline.connected(connectedAt - startedAt);
    } else if (lostAt != 0) {
      timeline.reconnected();
      lostAt = 0;
    }
  }

  /** When it found its connection gone (0: it has one, or never had). */
  private volatile long lostAt;

  @Override
  public void onTlsHandshake(java.time.Duration took) {
    timeline.handshake(took.toNanos());
  }

  @Override
  public void onConnectFailed(Throwable cause) {
    timeline.error(cause);
    if (connectedAt != 0 && lostAt == 0) {
      lostAt = System.nanoTime();
    }
    // As an agent given several server addresses does: its server is gone, so it tries the next one.
    if (mayMove && failuresInARow.incrementAndGet() >= FAILURES_BEFORE_MOVING) {
      failuresInARow.set(0);
      timers.execute(() -> {
        moves++;
        reconnect();
      });
    }
  }

  @Override
  public void onError(io.opampfleet.proto.ServerErrorResponse error) {
    timeline.error("server error: " + error.getType());
  }

  @Override
  public void onMessage(ServerToAgent message) {
    if (!message.hasRemoteConfig() || message.getRemoteConfig().getConfigHash().equals(lastHash)) {
      return;
    }
    ByteString hash = message.getRemoteConfig().getConfigHash();
    lastHash = hash;
    boolean fails = failing && message.getRemoteConfig().getConfig().getConfigMapMap().values().stream()
        .anyMatch(file -> file.getBody().toStringUtf8().contains(FRAGILE));
    long now = System.nanoTime();
    receivedAt = now;
    timeline.received(now);
    report(status(hash, RemoteConfigStatuses.RemoteConfigStatuses_APPLYING));
    Runnable apply = () -> {
      if (!hash.equals(lastHash)) {
        return;  // a newer config came meanwhile (a rollback, say): it is the one to apply and report
      }
      if (!fails) {
        client.setEffectiveConfig(EffectiveConfig.newBuilder().setConfigMap(message.getRemoteConfig().getConfig()).build());
      }
      report(status(hash, fails ? RemoteConfigStatuses.RemoteConfigStatuses_FAILED
          : RemoteConfigStatuses.RemoteConfigStatuses_APPLIED));
      appliedAt = System.nanoTime();
      timeline.applied(appliedAt, fails);
    };
    long delay = applyDelay.nextMillis();
    if (delay > 0) {
      timers.schedule(apply, delay, TimeUnit.MILLISECONDS);
    } else {
      apply.run();
    }
  }

  /** Reconnect churn: drops the connection and opens a new one, reporting what it has again. */
  void reconnect() {
    OpampClient old = client;
    // Its next connection counts as a reconnect.
    lostAt = System.nanoTime();
    old.stop().whenComplete((done, failure) -> {
      OpampClient fresh = factory.apply(moves);
      if (lastStatus != null) {
        fresh.setRemoteConfigStatus(lastStatus);
      }
      client = fresh;
      fresh.start();
    });
  }

  private void report(RemoteConfigStatus status) {
    lastStatus = status;
    client.setRemoteConfigStatus(status);
  }

  /** Status churn: the agent reports a fresh health time, as a collector's components come and go. */
  void reportHealth() {
    client.setHealth(ComponentHealth.newBuilder().setHealthy(true).setStatus("StatusOK")
        .setStatusTimeUnixNano(System.currentTimeMillis() * 1_000_000L).build());
  }

  private RemoteConfigStatus status(ByteString hash, RemoteConfigStatuses status) {
    return RemoteConfigStatus.newBuilder().setLastRemoteConfigHash(hash).setStatus(status)
        .setErrorMessage(status == RemoteConfigStatuses.RemoteConfigStatuses_FAILED
            ? "simulated: the collector refused the config" : "")
        .build();
  }
}

package io.opampfleet.supervisor.collector;

import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.OpampServer;
import io.opampfleet.netty.server.ServerCallbacks;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.ServerCapabilities;
import io.opampfleet.proto.ServerToAgent;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The supervisor's local OpAMP server on loopback, for the collector's opamp extension: it keeps
 * the latest health the collector reports and tells the supervisor of each change.
 */
public final class CollectorLink implements AutoCloseable {
  private static final long CAPABILITIES = ServerCapabilities.ServerCapabilities_AcceptsStatus_VALUE
      | ServerCapabilities.ServerCapabilities_AcceptsEffectiveConfig_VALUE;

  private final OpampServer server;
  private final Consumer<ComponentHealth> onHealth;
  /** The epoch each extension connected in: a collector being replaced keeps talking for a while. */
  private final Map<AgentConnection, Integer> epochs = new ConcurrentHashMap<>();
  private volatile int epoch;
  private ComponentHealth health;

  private CollectorLink(int port, Consumer<ComponentHealth> onHealth) {
    this.onHealth = onHealth;
    this.server = OpampServer.builder()
        .bind(new InetSocketAddress("127.0.0.1", port))
        .callbacks(new ServerCallbacks() {
          @Override
          public void onConnected(AgentConnection connection) {
            epochs.put(connection, epoch);
          }

          @Override
          public void onClose(AgentConnection connection) {
            epochs.remove(connection);
          }

          @Override
          public CompletionStage<ServerToAgent> onMessage(AgentConnection connection, AgentToServer message) {
            // Only the current collector's health counts; an empty report (the v0.149 extension
            // sends one after its first) says nothing.
            boolean current = epochs.getOrDefault(connection, -1) == epoch;
            if (current && message.hasHealth() && !message.getHealth().equals(ComponentHealth.getDefaultInstance())) {
              reported(message.getHealth());
            }
            return CompletableFuture.completedFuture(ServerToAgent.newBuilder().setCapabilities(CAPABILITIES).build());
          }
        })
        .start();
  }

  /** Listens on loopback at {@code port}, or at a free port when it is 0. */
  public static CollectorLink start(int port, Consumer<ComponentHealth> onHealth) {
    return new CollectorLink(port, onHealth);
  }

  public int port() {
    return server.address().getPort();
  }

  /** Forgets the collector that is being replaced: from now on only a new one's reports count. */
  public synchronized void forget() {
    epoch++;
    health = null;
  }

  /**
   * Waits until the collector reports itself healthy (true), or reports a failure or says nothing
   * healthy within {@code timeout}, or stops running (false). Reports on the way, such as
   * StatusStarting, do not decide.
   */
  public synchronized boolean awaitHealth(Duration timeout, BooleanSupplier running) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (health == null || !health.getHealthy()) {
      if (health != null && failed(health) || !running.getAsBoolean()) {
        return false;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, Math.min(200, left / 1_000_000)));
    }
    return true;
  }

  private static boolean failed(ComponentHealth health) {
    return !health.getLastError().isEmpty()
        || health.getStatus().contains("PermanentError") || health.getStatus().contains("FatalError");
  }

  public synchronized ComponentHealth health() {
    return health;
  }

  private void reported(ComponentHealth reported) {
    synchronized (this) {
      health = reported;
      notifyAll();
    }
    onHealth.accept(reported);
  }

  @Override
  public void close() {
    server.close();
  }
}

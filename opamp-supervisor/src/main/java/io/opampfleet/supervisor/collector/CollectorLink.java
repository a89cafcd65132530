package io.opampfleet.supervisor.collector;

import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.OpampServer;
import io.opampfleet.netty.server.ServerCallbacks;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.CustomCapabilities;
import io.opampfleet.proto.CustomMessage;
import io.opampfleet.proto.ServerCapabilities;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.proto.ServerToAgentFlags;
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
 * the latest health the collector reports and tells the supervisor of each change, and passes on
 * the collector's description and available components (asking for the list when a new hash comes)
 * and its custom capabilities and messages; the server's custom capabilities and messages go the
 * other way, as the Go supervisor forwards them.
 */
public final class CollectorLink implements AutoCloseable {
  private static final long CAPABILITIES = ServerCapabilities.ServerCapabilities_AcceptsStatus_VALUE
      | ServerCapabilities.ServerCapabilities_AcceptsEffectiveConfig_VALUE;

  private final OpampServer server;
  private final Consumer<ComponentHealth> onHealth;
  private final Reports reports;
  /** The epoch each extension connected in: a collector being replaced keeps talking for a while. */
  private final Map<AgentConnection, Integer> epochs = new ConcurrentHashMap<>();
  private volatile int epoch;
  private ComponentHealth health;
  /** Whether the current collector has said it was healthy: it has started (and takes SIGHUP). */
  private boolean seenHealthy;
  private volatile com.google.protobuf.ByteString componentsHash = com.google.protobuf.ByteString.EMPTY;
  /** The server's custom capabilities, for each collector that connects, and the connections told them. */
  private volatile CustomCapabilities serverCustomCapabilities;
  private final java.util.Set<AgentConnection> toldCapabilities = ConcurrentHashMap.newKeySet();

  /** Where the collector's description and available components go. */
  public interface Reports {
    void description(AgentDescription description);

    void components(AvailableComponents components);

    void customCapabilities(CustomCapabilities capabilities);

    void customMessage(CustomMessage message);
  }

  private CollectorLink(int port, Consumer<ComponentHealth> onHealth, Reports reports) {
    this.onHealth = onHealth;
    this.reports = reports;
    this.server = OpampServer.builder()
        .bind(new InetSocketAddress("127.0.0.1", port))
        .eventLoops(1)
        .callbacks(new ServerCallbacks() {
          @Override
          public void onConnected(AgentConnection connection) {
            epochs.put(connection, epoch);
          }

          @Override
          public void onClose(AgentConnection connection) {
            epochs.remove(connection);
            toldCapabilities.remove(connection);
          }

          @Override
          public CompletionStage<ServerToAgent> onMessage(AgentConnection connection, AgentToServer message) {
            // Only the current collector's health counts; an empty report (the v0.149 extension
            // sends one after its first) says nothing.
            int connectedIn = epochs.getOrDefault(connection, -1);
            boolean current = connectedIn == epoch;
            if (current && message.hasHealth() && !message.getHealth().equals(ComponentHealth.getDefaultInstance())) {
              reported(connectedIn, message.getHealth());
            }
            ServerToAgent.Builder reply = ServerToAgent.newBuilder().setCapabilities(CAPABILITIES);
            if (current && message.hasAgentDescription()) {
              reports.description(message.getAgentDescription());
            }
            if (current && message.hasAvailableComponents()) {
              AvailableComponents components = message.getAvailableComponents();
              if (components.getComponentsCount() > 0) {
                componentsHash = components.getHash();
                reports.components(components);
              } else if (!components.getHash().equals(componentsHash)) {
                reply.setFlags(ServerToAgentFlags.ServerToAgentFlags_ReportAvailableComponents_VALUE);
              }
            }
            CustomCapabilities known = serverCustomCapabilities;
            if (current && known != null && toldCapabilities.add(connection)) {
              // With its first answer, which names its uid as its client expects.
              reply.setCustomCapabilities(known);
            }
            if (current && message.hasCustomCapabilities()) {
              reports.customCapabilities(message.getCustomCapabilities());
            }
            if (current && message.hasCustomMessage()) {
              reports.customMessage(message.getCustomMessage());
            }
            return CompletableFuture.completedFuture(reply.build());
          }
        })
        .start();
  }

  /**
   * Listens on loopback at {@code port}, or at a free port when it is 0.
   *
   * @param known the available components the bootstrap learned, or null
   */
  public static CollectorLink start(int port, Consumer<ComponentHealth> onHealth, Reports reports,
      AvailableComponents known) {
    CollectorLink link = new CollectorLink(port, onHealth, reports);
    if (known != null) {
      link.componentsHash = known.getHash();
    }
    return link;
  }

  public int port() {
    return server.address().getPort();
  }

  /** Passes the server's custom capabilities and message, if the message has them, to the collector. */
  public void forward(ServerToAgent fromServer) {
    if (!fromServer.hasCustomCapabilities() && !fromServer.hasCustomMessage()) {
      return;
    }
    ServerToAgent.Builder forwarded = ServerToAgent.newBuilder();
    if (fromServer.hasCustomCapabilities()) {
      serverCustomCapabilities = fromServer.getCustomCapabilities();
      forwarded.setCustomCapabilities(fromServer.getCustomCapabilities());
    }
    if (fromServer.hasCustomMessage()) {
      forwarded.setCustomMessage(fromServer.getCustomMessage());
    }
    int current = epoch;
    epochs.forEach((connection, connectedIn) -> {
      if (connectedIn == current) {
        if (fromServer.hasCustomCapabilities() && toldCapabilities.add(connection) && !epochs.containsKey(connection)) {
          toldCapabilities.remove(connection);  // it closed meanwhile, on the local server's thread
        }
        connection.send(forwarded.build());
      }
    });
  }

  /** Forgets the collector that is being replaced: from now on only a new one's reports count. */
  public synchronized void forget() {
    epoch++;
    health = null;
    seenHealthy = false;
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

  /**
   * A failure that decides at once: a permanent or fatal error, or an error with no status to say
   * otherwise. A recoverable one (an exporter that cannot reach its endpoint yet, say) may pass: it
   * decides only if it lasts to the timeout, as the Go supervisor judges at its end.
   */
  private static boolean failed(ComponentHealth health) {
    return health.getStatus().contains("PermanentError") || health.getStatus().contains("FatalError")
        || !health.getLastError().isEmpty() && !health.getStatus().contains("RecoverableError");
  }

  public synchronized ComponentHealth health() {
    return health;
  }

  /** Whether the collector running now said it was healthy once (since it started, or it was last forgotten). */
  public synchronized boolean seenHealthy() {
    return seenHealthy;
  }

  /**
   * A health report of the collector connected in {@code connectedIn}: taken, and passed on, only while
   * it is the current one, decided under the lock {@link #forget} takes (so nothing of a collector being
   * stopped follows what the supervisor reports of it then).
   */
  private synchronized void reported(int connectedIn, ComponentHealth reported) {
    if (connectedIn != epoch) {
      return;
    }
    health = reported;
    seenHealthy |= reported.getHealthy();
    notifyAll();
    onHealth.accept(reported);
  }

  @Override
  public void close() {
    server.close();
  }
}

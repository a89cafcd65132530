package io.opampfleet.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.opampfleet.netty.Backoff;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.OpampServer;
import io.opampfleet.netty.server.ServerCallbacks;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ServerErrorResponse;
import io.opampfleet.proto.ServerErrorResponseType;
import io.opampfleet.proto.ServerToAgent;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The client's retries against servers that fail it in ways other than refusing the connection: the
 * waits grow (0.1 s doubling here, without jitter), so a fleet does not hammer a server that cannot
 * serve it; and a failure in making an attempt is retried, not the end of the client.
 */
class ClientRetriesTest {
  private static final Backoff QUICK = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), 2, 0);

  @Test
  void aServerThatClosesEachWebSocketAtOnceIsRetriedWithGrowingWaits() throws Exception {
    AtomicInteger connections = new AtomicInteger();
    // 0.1 + 0.2 + 0.4 + 0.8 + 1.6 s: six connections at most in 3 s (without growing waits, hundreds).
    assertThat(overThreeSeconds("ws", new ServerCallbacks() {
      @Override
      public void onConnected(AgentConnection connection) {
        connections.incrementAndGet();
        connection.close();
      }
    }, connections)).isBetween(2, 7);
  }

  @Test
  void aServerUnavailableWithoutATimeToWaitIsPolledWithGrowingWaits() throws Exception {
    AtomicInteger polls = new AtomicInteger();
    // As above: the waits grow (each one 0.1 s, as before, made about 30 polls in 3 s).
    assertThat(overThreeSeconds("http", new ServerCallbacks() {
      @Override
      public CompletionStage<ServerToAgent> onMessage(AgentConnection connection, AgentToServer message) {
        polls.incrementAndGet();
        return CompletableFuture.completedFuture(ServerToAgent.newBuilder().setInstanceUid(message.getInstanceUid())
            .setErrorResponse(ServerErrorResponse.newBuilder()
                .setType(ServerErrorResponseType.ServerErrorResponseType_Unavailable)).build());
      }
    }, polls)).isBetween(2, 8);
  }

  @Test
  void aServerThatRefusesEachMessageAndClosesIsRetriedWithGrowingWaits() throws Exception {
    AtomicInteger connections = new AtomicInteger();
    // As a server refusing an agent's certificate does: an error, then the connection closed.
    assertThat(overThreeSeconds("ws", new ServerCallbacks() {
      @Override
      public CompletionStage<ServerToAgent> onMessage(AgentConnection connection, AgentToServer message) {
        connections.incrementAndGet();
        CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS).execute(connection::close);
        return CompletableFuture.completedFuture(ServerToAgent.newBuilder().setInstanceUid(message.getInstanceUid())
            .setErrorResponse(ServerErrorResponse.newBuilder()
                .setType(ServerErrorResponseType.ServerErrorResponseType_BadRequest)).build());
      }
    }, connections)).isBetween(2, 7);
  }

  /** What {@code counted} reached while a client of {@code scheme} tried this server for 3 s. */
  private static int overThreeSeconds(String scheme, ServerCallbacks callbacks, AtomicInteger counted)
      throws Exception {
    try (OpampServer server = server(callbacks)) {
      OpampClient client = client(scheme, server, Map::of);
      client.start();
      Thread.sleep(3000);
      client.stop().get(10, TimeUnit.SECONDS);
      return counted.get();
    }
  }

  @Test
  void anAttemptThatFailsToStartIsRetried() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    CompletableFuture<Void> connected = new CompletableFuture<>();
    try (OpampServer server = server(new ServerCallbacks() {
      @Override
      public void onConnected(AgentConnection connection) {
        connected.complete(null);
      }
    })) {
      OpampClient client = client("ws", server, () -> {
        if (calls.getAndIncrement() == 0) {
          throw new IllegalStateException("no token yet");
        }
        return Map.of();
      });
      client.start();
      connected.get(10, TimeUnit.SECONDS);
      assertThat(calls.get()).isGreaterThanOrEqualTo(2);
      client.stop().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aClientStartedTwiceKeepsOneConnection() throws Exception {
    AtomicInteger connections = new AtomicInteger();
    CompletableFuture<Void> connected = new CompletableFuture<>();
    try (OpampServer server = server(new ServerCallbacks() {
      @Override
      public void onConnected(AgentConnection connection) {
        connections.incrementAndGet();
        connected.complete(null);
      }
    })) {
      OpampClient client = client("ws", server, Map::of);
      client.start();
      client.start();
      connected.get(10, TimeUnit.SECONDS);
      Thread.sleep(500);
      assertThat(connections.get()).isEqualTo(1);
      client.stop().get(10, TimeUnit.SECONDS);
    }
  }

  private static OpampServer server(ServerCallbacks callbacks) {
    return OpampServer.builder().bind(new InetSocketAddress("127.0.0.1", 0)).callbacks(callbacks).start();
  }

  private static OpampClient client(String scheme, OpampServer server, Supplier<Map<String, String>> headers) {
    return OpampClient.builder()
        .endpoint(URI.create(scheme + "://127.0.0.1:" + server.address().getPort() + "/v1/opamp"))
        .instanceUid(InstanceUid.bytes(UUID.randomUUID().toString())).backoff(QUICK).headers(headers)
        .pollingInterval(Duration.ofSeconds(30)).build();
  }
}

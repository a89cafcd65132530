package io.opampfleet.netty.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.opampfleet.netty.Backoff;
import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.ConnectionDecision;
import io.opampfleet.netty.server.ConnectionRequest;
import io.opampfleet.netty.server.OpampServer;
import io.opampfleet.netty.server.ServerCallbacks;
import io.opampfleet.proto.AgentCapabilities;
import io.opampfleet.proto.AgentIdentification;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ConnectionSettingsOffers;
import io.opampfleet.proto.OpAMPConnectionSettings;
import io.opampfleet.proto.RetryInfo;
import io.opampfleet.proto.ServerErrorResponse;
import io.opampfleet.proto.ServerErrorResponseType;
import io.opampfleet.proto.ServerToAgent;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our client against our server: reconnection rules, headers, heartbeats, assigned uids and many
 * clients at once. An agent's exchanges over each transport are the simulated agent's tests.
 */
class ClientAgainstOurServerIT {
  private static final Duration PATIENCE = Duration.ofSeconds(20);
  private static final Backoff QUICK = new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), 2);

  private final List<AgentToServer> received = new CopyOnWriteArrayList<>();
  private final List<AgentConnection> connections = new CopyOnWriteArrayList<>();
  private final List<ConnectionRequest> requests = new CopyOnWriteArrayList<>();
  private volatile BiFunction<AgentConnection, AgentToServer, ServerToAgent> replies = (c, m) -> ServerToAgent.getDefaultInstance();
  private volatile java.util.function.Function<ConnectionRequest, ConnectionDecision> admission = r -> ConnectionDecision.accept();
  private final List<OpampServer> servers = new ArrayList<>();
  private final List<OpampClient> clients = new ArrayList<>();

  @AfterEach
  void stop() {
    clients.forEach(client -> client.stop().orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join());
    servers.forEach(OpampServer::close);
  }

  @Test
  void headersAreAskedForAgainAtEachConnect() {
    admission = request -> "Bearer second".equals(request.headers().get("Authorization"))
        ? ConnectionDecision.accept() : ConnectionDecision.reject(401);
    OpampServer server = server(0);
    AtomicInteger asked = new AtomicInteger();
    OpampClient client = OpampClient.builder()
        .endpoint(endpoint("ws", server))
        .instanceUid(RecordingCallbacks.newUid())
        .headers(() -> Map.of("Authorization", asked.incrementAndGet() == 1 ? "Bearer first" : "Bearer second"))
        .backoff(QUICK)
        .build();
    clients.add(client);
    client.start();

    await().atMost(PATIENCE).until(() -> !received.isEmpty());
    assertThat(requests).extracting(r -> r.headers().get("Authorization")).startsWith("Bearer first", "Bearer second");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ws", "http"})
  void aRefusalWithRetryAfterIsWaitedOut(String scheme) {
    List<Long> attempts = new CopyOnWriteArrayList<>();
    admission = request -> {
      attempts.add(System.nanoTime());
      return attempts.size() == 1 ? ConnectionDecision.reject(503, Duration.ofSeconds(2)) : ConnectionDecision.accept();
    };
    OpampServer server = server(0);
    OpampClient client = client(scheme, server, new RecordingCallbacks(), 0);
    client.start();

    await().atMost(PATIENCE).until(() -> !received.isEmpty());
    assertThat(Duration.ofNanos(attempts.get(1) - attempts.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
  }

  @Test
  void anUnavailableReplyWithRetryInfoClosesAndWaitsBeforeReconnecting() {
    List<Long> connects = new CopyOnWriteArrayList<>();
    admission = request -> {
      connects.add(System.nanoTime());
      return ConnectionDecision.accept();
    };
    replies = (connection, message) -> connects.size() == 1 ? ServerToAgent.newBuilder()
        .setErrorResponse(ServerErrorResponse.newBuilder().setType(ServerErrorResponseType.ServerErrorResponseType_Unavailable)
            .setRetryInfo(RetryInfo.newBuilder().setRetryAfterNanoseconds(Duration.ofMillis(1500).toNanos()))).build()
        : null;
    OpampServer server = server(0);
    OpampClient client = client("ws", server, new RecordingCallbacks(), 0);
    client.start();

    await().atMost(PATIENCE).until(() -> connects.size() >= 2 && received.size() >= 2);
    assertThat(Duration.ofNanos(connects.get(1) - connects.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(1400));
  }

  @Test
  void aConnectionThatFallsSilentIsPingedThenReplaced() throws Exception {
    OpampServer server = server(0);
    try (SilencingProxy proxy = new SilencingProxy(new InetSocketAddress("127.0.0.1", server.address().getPort()))) {
      OpampClient client = OpampClient.builder()
          .endpoint(URI.create("ws://127.0.0.1:" + proxy.port() + "/v1/opamp"))
          .instanceUid(RecordingCallbacks.newUid())
          .pingAfter(Duration.ofMillis(300))
          .backoff(QUICK)
          .build();
      clients.add(client);
      client.start();
      await().atMost(PATIENCE).until(() -> connections.size() == 1 && !received.isEmpty());

      // Quiet but alive: the server answers the pings, and the connection stays.
      await().during(Duration.ofMillis(1500)).atMost(PATIENCE).until(() -> connections.size() == 1);

      proxy.silenceOpenConnections();

      await().atMost(PATIENCE).until(() -> connections.size() == 2);
      int before = received.size();
      client.setAgentDescription(io.opampfleet.proto.AgentDescription.getDefaultInstance());
      await().atMost(PATIENCE).until(() -> received.size() > before);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ws", "http"})
  void heartbeatsComeAtTheIntervalTheServerSets(String scheme) {
    replies = (connection, message) -> message.getSequenceNum() == 1 ? ServerToAgent.newBuilder()
        .setConnectionSettings(ConnectionSettingsOffers.newBuilder().setOpamp(OpAMPConnectionSettings.newBuilder()
            .setDestinationEndpoint("ws://unused/v1/opamp").setHeartbeatIntervalSeconds(1))).build() : null;
    OpampServer server = server(0);
    OpampClient client = client(scheme, server, new RecordingCallbacks(),
        AgentCapabilities.AgentCapabilities_ReportsHeartbeat_VALUE);
    client.start();

    await().atMost(PATIENCE).until(() -> received.size() >= 5);
    List<Long> gaps = new ArrayList<>();
    long previous = -1;
    for (long stamp : arrivals.subList(2, 5)) {
      if (previous > 0) {
        gaps.add(TimeUnit.NANOSECONDS.toMillis(stamp - previous));
      }
      previous = stamp;
    }
    assertThat(gaps).allSatisfy(gap -> assertThat(gap).isBetween(700L, 2500L));
  }

  @Test
  void anInstanceUidTheServerAssignsIsUsedFromThenOn() {
    ByteString assigned = RecordingCallbacks.newUid();
    replies = (connection, message) -> message.getSequenceNum() == 1 ? ServerToAgent.newBuilder()
        .setAgentIdentification(AgentIdentification.newBuilder().setNewInstanceUid(assigned)).build() : null;
    OpampServer server = server(0);
    RecordingCallbacks agent = new RecordingCallbacks();
    OpampClient client = client("ws", server, agent, 0);
    client.start();
    await().atMost(PATIENCE).until(() -> !received.isEmpty());

    client.setAgentDescription(RecordingCallbacks.description("renamed"));

    await().atMost(PATIENCE).until(() -> received.stream().anyMatch(m -> m.getInstanceUid().equals(assigned)));
    assertThat(client.instanceUid()).isEqualTo(assigned);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ws", "http"})
  void anAgentComesBackWithItsFullStateWhenTheServerReturns(String scheme) {
    OpampServer server = server(0);
    int port = server.address().getPort();
    RecordingCallbacks agent = new RecordingCallbacks();
    OpampClient client = client(scheme, server, agent, 0);
    client.setAgentDescription(RecordingCallbacks.description("comes-back"));
    client.start();
    await().atMost(PATIENCE).until(() -> !received.isEmpty());

    server.close();
    servers.remove(server);
    await().atMost(PATIENCE).until(() -> !agent.failures.isEmpty());
    received.clear();
    server(port);

    await().atMost(PATIENCE).until(() -> received.stream().anyMatch(AgentToServer::hasAgentDescription));
  }

  @Test
  void twoHundredClientsShareOneEventLoopGroup() {
    OpampServer server = server(0);
    EventLoopGroup shared = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    try {
      List<OpampClient> fleet = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        OpampClient client = OpampClient.builder()
            .endpoint(endpoint(i % 2 == 0 ? "ws" : "http", server))
            .eventLoopGroup(shared)
            .instanceUid(RecordingCallbacks.newUid())
            .backoff(QUICK)
            .build();
        client.setAgentDescription(RecordingCallbacks.description("fleet-" + i));
        fleet.add(client);
        client.start();
      }

      await().atMost(PATIENCE).until(() -> received.stream().map(AgentToServer::getInstanceUid).distinct().count() == 200);
      fleet.forEach(client -> client.stop().orTimeout(10, TimeUnit.SECONDS).join());
    } finally {
      shared.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private final List<Long> arrivals = new CopyOnWriteArrayList<>();

  private OpampServer server(int port) {
    OpampServer.Builder builder = OpampServer.builder()
        .bind(new InetSocketAddress("127.0.0.1", port))
        .callbacks(new ServerCallbacks() {
          @Override
          public ConnectionDecision onConnecting(ConnectionRequest request) {
            requests.add(request);
            return admission.apply(request);
          }

          @Override
          public void onConnected(AgentConnection connection) {
            connections.add(connection);
          }

          @Override
          public CompletionStage<ServerToAgent> onMessage(AgentConnection connection, AgentToServer message) {
            arrivals.add(System.nanoTime());
            received.add(message);
            ServerToAgent reply = replies.apply(connection, message);
            return CompletableFuture.completedFuture(reply == null ? ServerToAgent.getDefaultInstance() : reply);
          }
        });
    OpampServer server = builder.start();
    servers.add(server);
    return server;
  }

  private OpampClient client(String scheme, OpampServer server, RecordingCallbacks agent, long capabilities) {
    OpampClient.Builder builder = OpampClient.builder()
        .endpoint(endpoint(scheme, server))
        .instanceUid(RecordingCallbacks.newUid())
        .capabilities(capabilities | AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig_VALUE
            | AgentCapabilities.AgentCapabilities_ReportsRemoteConfig_VALUE
            | AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig_VALUE)
        .callbacks(agent)
        .backoff(QUICK)
        .pollingInterval(Duration.ofMillis(200));
    OpampClient client = builder.build();
    clients.add(client);
    return client;
  }

  private static URI endpoint(String scheme, OpampServer server) {
    return URI.create(scheme + "://localhost:" + server.address().getPort() + OpampServer.DEFAULT_PATH);
  }
}

package io.opampfleet.supervisor.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.OpampServer;
import io.opampfleet.netty.server.ServerCallbacks;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ConnectionSettingsOffers;
import io.opampfleet.proto.ConnectionSettingsStatus;
import io.opampfleet.proto.ConnectionSettingsStatuses;
import io.opampfleet.proto.OpAMPConnectionSettings;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.supervisor.config.SupervisorConfig;
import io.opampfleet.supervisor.config.SupervisorConfig.Server;
import io.opampfleet.supervisor.config.SupervisorConfigLoader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session with the server on its own, against OpAMP servers in this process: offered settings
 * tried while the rest goes on, kept (and stored) when they connect, left for the old ones when
 * they do not connect in time, and what the server says handed to the listener.
 */
class UpstreamSessionTest {
  private static final ByteString HASH = ByteString.copyFromUtf8("settings-1");

  @TempDir Path dir;
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService callbacks = Executors.newSingleThreadExecutor();
  private final RecordingListener listener = new RecordingListener();
  private UpstreamSession session;

  @AfterEach
  void stop() {
    if (session != null) {
      session.close();
    }
    loop.shutdownNow();
    callbacks.shutdownNow();
  }

  @Test
  void offeredSettingsThatConnectAreKeptStoredAndReportedApplied() throws Exception {
    Peer next = new Peer(null);
    try (OpampServer second = next.start()) {
      Peer first = new Peer(offer("ws://127.0.0.1:" + second.address().getPort() + "/v1/opamp"));
      try (OpampServer firstServer = first.start()) {
        session = session(firstServer, Duration.ofSeconds(30));
        session.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> listener.kept.size() == 1);
        assertThat(listener.kept.get(0).endpoint().getPort()).isEqualTo(second.address().getPort());
        assertThat(session.server().endpoint().getPort()).isEqualTo(second.address().getPort());
        assertThat(Files.readAllBytes(dir.resolve("storage").resolve(ConnectionOffer.SETTINGS_FILE)))
            .isEqualTo(first.offer.toByteArray());
        // The new connection says APPLIED, after the old one heard APPLYING.
        await().atMost(Duration.ofSeconds(10)).until(() -> next.said(ConnectionSettingsStatuses.ConnectionSettingsStatuses_APPLIED));
        assertThat(first.said(ConnectionSettingsStatuses.ConnectionSettingsStatuses_APPLYING)).isTrue();
        assertThat(listener.connected.get()).isGreaterThanOrEqualTo(2);
        assertThat(listener.messages).anyMatch(ServerToAgent::hasConnectionSettings);
      }
    }
  }

  @Test
  void settingsOfferedAgainWithTheSameHashAreNotTriedAgain() throws Exception {
    // The second server repeats the offer that led to it, itself as the endpoint, in every reply.
    Peer next = new Peer(null);
    try (OpampServer second = next.start()) {
      ConnectionSettingsOffers offers = offer("ws://127.0.0.1:" + second.address().getPort() + "/v1/opamp");
      next.offerEveryTime(offers);
      Peer first = new Peer(offers);
      try (OpampServer firstServer = first.start()) {
        session = session(firstServer, Duration.ofSeconds(30));
        session.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> listener.kept.size() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> next.replies.get() >= 1);
        int connections = listener.connected.get();
        Thread.sleep(2000);
        assertThat(listener.connected.get()).isEqualTo(connections);
        assertThat(listener.kept).hasSize(1);
      }
    }
  }

  @Test
  void offeredSettingsWithAnEndpointNoClientTakesAreRefusedAndTheOldOnesStay() throws Exception {
    Peer first = new Peer(offer("tcp://127.0.0.1:1/v1/opamp"));
    try (OpampServer server = first.start()) {
      session = session(server, Duration.ofSeconds(30));
      session.start();

      await().atMost(Duration.ofSeconds(10)).until(() -> first.said(ConnectionSettingsStatuses.ConnectionSettingsStatuses_FAILED));
      assertThat(first.failure()).startsWith("refused the offered connection settings");
      assertThat(session.server().endpoint().getPort()).isEqualTo(server.address().getPort());
      assertThat(listener.kept).isEmpty();
    }
  }

  @Test
  void offeredSettingsThatDoNotConnectInTimeAreLeftForTheOldOnes() throws Exception {
    int closedPort;
    try (ServerSocket unused = new ServerSocket(0)) {
      closedPort = unused.getLocalPort();
    }
    Peer first = new Peer(offer("ws://127.0.0.1:" + closedPort + "/v1/opamp"));
    try (OpampServer server = first.start()) {
      session = session(server, Duration.ofSeconds(1));
      session.start();

      // Back on the first server, which hears why the offer was left.
      await().atMost(Duration.ofSeconds(15)).until(() -> first.said(ConnectionSettingsStatuses.ConnectionSettingsStatuses_FAILED));
      assertThat(first.failure()).contains("did not connect to ws://127.0.0.1:" + closedPort, "within 1s");
      assertThat(listener.kept).isEmpty();
      assertThat(session.server().endpoint().getPort()).isEqualTo(server.address().getPort());
      assertThat(dir.resolve("storage").resolve(ConnectionOffer.SETTINGS_FILE)).doesNotExist();
    }
  }

  @Test
  void settingsOfferedAgainAfterTheirTrialFailedAreTriedAgain() throws Exception {
    int closedPort;
    try (ServerSocket unused = new ServerSocket(0)) {
      closedPort = unused.getLocalPort();
    }
    Peer first = new Peer(null);
    first.offerEveryTime(offer("ws://127.0.0.1:" + closedPort + "/v1/opamp"));
    try (OpampServer server = first.start()) {
      session = session(server, Duration.ofMillis(500));
      session.start();

      // The endpoint may be up the next time: each offer after a failed trial is a new trial.
      await().atMost(Duration.ofSeconds(20)).until(() -> first.times(ConnectionSettingsStatuses.ConnectionSettingsStatuses_FAILED) >= 2);
      assertThat(listener.kept).isEmpty();
    }
  }

  private UpstreamSession session(OpampServer server, Duration trial) throws IOException {
    Path yaml = Files.writeString(dir.resolve("supervisor.yaml"), """
        server: {endpoint: ws://127.0.0.1:%d/v1/opamp}
        capabilities: {accepts_opamp_connection_settings: true}
        storage: {directory: %s}
        agent: {executable: /bin/true}
        """.formatted(server.address().getPort(), dir.resolve("storage")));
    SupervisorConfig config = new SupervisorConfigLoader(Map.<String, String>of()::get).load(yaml).config();
    Files.createDirectories(dir.resolve("storage"));
    return new UpstreamSession(config, UUID.randomUUID(), dir.resolve("storage"), config.server(), new Reported(),
        loop, callbacks, listener, trial);
  }

  private static ConnectionSettingsOffers offer(String endpoint) {
    return ConnectionSettingsOffers.newBuilder().setHash(HASH)
        .setOpamp(OpAMPConnectionSettings.newBuilder().setDestinationEndpoint(endpoint)).build();
  }

  /** A server that offers its settings once (or every time), and keeps the connection-settings statuses it hears. */
  private static final class Peer implements ServerCallbacks {
    final OpAMPConnectionSettings offer;
    private final ConnectionSettingsOffers offers;
    private final List<ConnectionSettingsStatus> statuses = new CopyOnWriteArrayList<>();
    private final AtomicInteger offered = new AtomicInteger();
    final AtomicInteger replies = new AtomicInteger();
    private volatile ConnectionSettingsOffers always;

    Peer(ConnectionSettingsOffers offers) {
      this.offers = offers;
      this.offer = offers == null ? null : offers.getOpamp();
    }

    OpampServer start() {
      return OpampServer.builder().bind(new InetSocketAddress("127.0.0.1", 0)).callbacks(this).start();
    }

    @Override
    public CompletionStage<ServerToAgent> onMessage(AgentConnection connection, AgentToServer message) {
      if (message.hasConnectionSettingsStatus()) {
        statuses.add(message.getConnectionSettingsStatus());
      }
      ServerToAgent.Builder reply = ServerToAgent.newBuilder().setInstanceUid(message.getInstanceUid());
      if (offers != null && offered.getAndIncrement() == 0) {
        reply.setConnectionSettings(offers);
      }
      if (always != null) {
        reply.setConnectionSettings(always);
      }
      replies.incrementAndGet();
      return CompletableFuture.completedFuture(reply.build());
    }

    /** Offers these settings in every reply. */
    void offerEveryTime(ConnectionSettingsOffers offers) {
      always = offers;
    }

    boolean said(ConnectionSettingsStatuses status) {
      return times(status) > 0;
    }

    long times(ConnectionSettingsStatuses status) {
      return statuses.stream().filter(s -> s.getStatus() == status && s.getLastConnectionSettingsHash().equals(HASH)).count();
    }

    String failure() {
      return statuses.stream().filter(s -> s.getStatus() == ConnectionSettingsStatuses.ConnectionSettingsStatuses_FAILED)
          .map(ConnectionSettingsStatus::getErrorMessage).findFirst().orElse("");
    }
  }

  /** The supervisor's side, as calls noted. */
  private static final class RecordingListener implements UpstreamSession.Listener {
    final AtomicInteger connected = new AtomicInteger();
    final List<ServerToAgent> messages = new CopyOnWriteArrayList<>();
    final List<Server> kept = new CopyOnWriteArrayList<>();

    @Override
    public void connected() {
      connected.incrementAndGet();
    }

    @Override
    public void message(ServerToAgent message) {
      messages.add(message);
    }

    @Override
    public void settingsKept(Server now) {
      kept.add(now);
    }
  }
}

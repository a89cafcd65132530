package io.opampfleet.netty.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opampfleet.netty.server.OpampServer;
import io.opampfleet.netty.server.Transport;
import io.opampfleet.peers.ContribAgent;
import io.opampfleet.proto.AgentRemoteConfig;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.proto.ServerToAgentFlags;
import io.opentelemetry.opamp.client.OpampClient;
import java.net.InetSocketAddress;
import java.time.Duration;
import opamp.proto.RemoteConfigStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The OpenTelemetry Java contrib OpAMP client, code nobody here wrote, as an agent against our
 * server over WebSocket and over HTTP.
 */
class ContribClientIT {
  private final RecordingCallbacks callbacks = new RecordingCallbacks();
  private OpampServer server;
  private ContribAgent agent;
  private OpampClient client;

  @BeforeEach
  void startServer() {
    server = OpampServer.builder()
        .bind(new InetSocketAddress("127.0.0.1", 0))
        .callbacks(callbacks)
        .start();
  }

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
    server.close();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void anAgentReportsItsDescriptionAndAppliesAnOfferedConfig(Transport transport) {
    AgentRemoteConfig offer = RecordingCallbacks.config("receivers: {}\n");
    callbacks.offerOnNextReply.set(offer);

    client = connect(transport);

    await().atMost(Duration.ofSeconds(15)).until(() -> applied(offer));
    AgentToServer described = callbacks.received.stream().filter(AgentToServer::hasAgentDescription).findFirst().orElseThrow();
    assertThat(described.getInstanceUid().size()).isEqualTo(16);
    assertThat(described.getAgentDescription().getIdentifyingAttributesList())
        .extracting(KeyValue::getKey, kv -> kv.getValue().getStringValue())
        .contains(org.assertj.core.groups.Tuple.tuple("service.name", "contrib-agent"));
    assertThat(agent.configsApplied).contains("receivers: {}\n");
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void anAgentAskedForItsFullStateSendsItsDescriptionAgain(Transport transport) {
    client = connect(transport);
    await().atMost(Duration.ofSeconds(15)).until(() -> callbacks.connection.get() != null);
    promptUntil(transport, () -> callbacks.received.stream().anyMatch(AgentToServer::hasAgentDescription));
    int before = callbacks.received.size();

    callbacks.connection.get().send(ServerToAgent.newBuilder()
        .setFlags(ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE)
        .build());

    // Only the server's request asks for the full state now: the description is already known.
    promptUntil(transport, () -> callbacks.received.stream().skip(before).anyMatch(AgentToServer::hasAgentDescription));
  }

  /**
   * The contrib client puts a requested full state in its next message; over HTTP that is the next
   * poll, over WebSocket it sends one only when something changes, so change something each time.
   */
  private void promptUntil(Transport transport, java.util.concurrent.Callable<Boolean> condition) {
    java.util.concurrent.atomic.AtomicInteger prompts = new java.util.concurrent.atomic.AtomicInteger();
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(300)).until(() -> {
      if (condition.call()) {
        return true;
      }
      if (transport == Transport.WEBSOCKET) {
        client.setRemoteConfigStatus(new RemoteConfigStatus.Builder()
            .last_remote_config_hash(okio.ByteString.encodeUtf8("prompt-" + prompts.incrementAndGet()))
            .status(opamp.proto.RemoteConfigStatuses.RemoteConfigStatuses_APPLYING)
            .build());
      }
      return false;
    });
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aMessageTheServerSendsOnItsOwnReachesTheAgent(Transport transport) {
    client = connect(transport);
    await().atMost(Duration.ofSeconds(15)).until(() -> callbacks.connection.get() != null);
    AgentRemoteConfig offer = RecordingCallbacks.config("exporters: {}\n");

    callbacks.connection.get().send(ServerToAgent.newBuilder()
        .setInstanceUid(callbacks.received.get(0).getInstanceUid())
        .setCapabilities(RecordingCallbacks.CAPABILITIES)
        .setRemoteConfig(offer)
        .build());

    await().atMost(Duration.ofSeconds(15)).until(() -> applied(offer));
    assertThat(callbacks.connection.get().transport()).isEqualTo(transport);
  }

  private boolean applied(AgentRemoteConfig offer) {
    return callbacks.received.stream().anyMatch(message ->
        message.getRemoteConfigStatus().getStatus() == RemoteConfigStatuses.RemoteConfigStatuses_APPLIED
            && message.getRemoteConfigStatus().getLastRemoteConfigHash().equals(offer.getConfigHash()));
  }

  private OpampClient connect(Transport transport) {
    String hostPortPath = "127.0.0.1:" + server.address().getPort() + OpampServer.DEFAULT_PATH;
    agent = transport == Transport.WEBSOCKET ? ContribAgent.overWebSocket(hostPortPath, "contrib-agent")
        : ContribAgent.overHttp(hostPortPath, "contrib-agent");
    return agent.client();
  }
}

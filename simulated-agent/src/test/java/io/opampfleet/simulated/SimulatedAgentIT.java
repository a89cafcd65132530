package io.opampfleet.simulated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.CertificateIdentity;
import io.opampfleet.certs.KeyAlgorithm;
import io.opampfleet.certs.ServerNames;
import io.opampfleet.certs.TlsContexts;
import io.opampfleet.certs.Validity;
import io.opampfleet.netty.Backoff;
import io.opampfleet.netty.client.OpampClient;
import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.OpampServer;
import io.opampfleet.netty.server.ServerCallbacks;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.AgentRemoteConfig;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.proto.ServerToAgentFlags;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The simulated agent against our OpAMP server: what it reports over each transport, and each behaviour. */
class SimulatedAgentIT {
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  private final CertificateAuthority ca = CertificateAuthority.create("Agent test CA", KeyAlgorithm.EC_P256,
      Validity.days(1));
  private final List<AgentToServer> received = new CopyOnWriteArrayList<>();
  private final List<AgentConnection> connections = new CopyOnWriteArrayList<>();
  /** For each connection, which of the servers (in the order they were started) it reached. */
  private final List<Integer> connectedTo = new CopyOnWriteArrayList<>();
  private final List<OpampServer> servers = new ArrayList<>();
  private final List<SimulatedAgent> agents = new ArrayList<>();
  private volatile BiFunction<AgentConnection, AgentToServer, ServerToAgent> replies = (c, m) -> null;

  @AfterEach
  void stop() {
    agents.forEach(agent -> {
      try {
        agent.close();
      } catch (RuntimeException alreadyGone) {
        // an agent that went away has nothing left to close
      }
    });
    servers.forEach(OpampServer::close);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ws", "http", "wss", "https"})
  void anAgentReportsAppliesConfigsAnswersFullStateRequestsAndSaysGoodbye(String scheme) {
    AgentRemoteConfig first = config("receivers: {}\n");
    replies = (connection, message) -> received.size() == 1 ? ServerToAgent.newBuilder().setRemoteConfig(first).build() : null;
    boolean secure = scheme.equals("wss") || scheme.equals("https");
    OpampServer server = server(secure);
    SimulatedAgent agent = agent(SimulatedAgent.builder(SimulatedAgent.newUid()).labels(Map.of("service.name", "our-agent"))
        .dialer(moves -> client(scheme, server, secure)));

    await("config applied").atMost(PATIENCE).until(() -> reported(first, RemoteConfigStatuses.RemoteConfigStatuses_APPLIED));
    assertThat(received.get(0).getAgentDescription().getIdentifyingAttributes(0).getValue().getStringValue())
        .isEqualTo("our-agent");
    assertThat(received).extracting(AgentToServer::getSequenceNum).startsWith(1L, 2L);
    assertThat(agent.running()).isEqualTo("receivers: {}\n");
    if (secure) {
      assertThat(CertificateIdentity.commonName(connections.get(0).peerCertificates().get(0))).isEqualTo("our-agent");
    }

    int before = received.size();
    connections.get(0).send(ServerToAgent.newBuilder().setFlags(ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE).build());
    await("full state").atMost(PATIENCE).until(() -> received.stream().skip(before)
        .anyMatch(m -> m.hasAgentDescription() && m.hasEffectiveConfig() && m.hasRemoteConfigStatus()));

    AgentRemoteConfig second = config("exporters: {}\n");
    connections.get(0).send(ServerToAgent.newBuilder().setRemoteConfig(second).build());
    await("server-sent config applied").atMost(PATIENCE)
        .until(() -> reported(second, RemoteConfigStatuses.RemoteConfigStatuses_APPLIED));

    agent.close();
    agents.remove(agent);
    await("goodbye").atMost(PATIENCE).until(() -> received.get(received.size() - 1).hasAgentDisconnect());
  }

  @Test
  void aConfigItsBehaviourFailsIsReportedFailedAndItKeepsTheOneItRan() {
    AgentRemoteConfig good = config("receivers: {}\n");
    AgentRemoteConfig bad = config("receivers: {}\n" + Behaviour.FAILS + "\n");
    OpampServer server = server(false);
    SimulatedAgent agent = agent(SimulatedAgent.builder(SimulatedAgent.newUid()).dialer(moves -> client("ws", server, false)));
    await().atMost(PATIENCE).until(() -> connections.size() == 1);

    connections.get(0).send(ServerToAgent.newBuilder().setRemoteConfig(good).build());
    await().atMost(PATIENCE).until(() -> reported(good, RemoteConfigStatuses.RemoteConfigStatuses_APPLIED));
    connections.get(0).send(ServerToAgent.newBuilder().setRemoteConfig(bad).build());

    await().atMost(PATIENCE).until(() -> reported(bad, RemoteConfigStatuses.RemoteConfigStatuses_FAILED));
    assertThat(last().getRemoteConfigStatus().getErrorMessage()).isEqualTo(Behaviour.REFUSED);
    assertThat(agent.running()).isEqualTo("receivers: {}\n");
  }

  @Test
  void anAgentThatTakesItsTimeSaysApplyingMeanwhile() {
    AgentRemoteConfig slow = config("processors: {}\n");
    OpampServer server = server(false);
    agent(SimulatedAgent.builder(SimulatedAgent.newUid()).behaviour(Behaviour.applying().after(() -> 1500))
        .dialer(moves -> client("ws", server, false)));
    await().atMost(PATIENCE).until(() -> connections.size() == 1);

    long sent = System.nanoTime();
    connections.get(0).send(ServerToAgent.newBuilder().setRemoteConfig(slow).build());

    await().atMost(PATIENCE).until(() -> reported(slow, RemoteConfigStatuses.RemoteConfigStatuses_APPLYING));
    assertThat(reported(slow, RemoteConfigStatuses.RemoteConfigStatuses_APPLIED)).isFalse();
    await().atMost(PATIENCE).until(() -> reported(slow, RemoteConfigStatuses.RemoteConfigStatuses_APPLIED));
    assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void anAgentThatTurnsUnhealthyAppliesTheConfigThenReportsItsCollectorUnhealthy() {
    AgentRemoteConfig config = config("receivers: {}\n");
    OpampServer server = server(false);
    agent(SimulatedAgent.builder(SimulatedAgent.newUid())
        .behaviour(body -> Reaction.turnUnhealthy("exporter otlp: connection refused"))
        .dialer(moves -> client("ws", server, false)));
    await().atMost(PATIENCE).until(() -> connections.size() == 1);

    connections.get(0).send(ServerToAgent.newBuilder().setRemoteConfig(config).build());

    await().atMost(PATIENCE).until(() -> received.stream().anyMatch(m -> m.hasHealth() && !m.getHealth().getHealthy()));
    assertThat(reported(config, RemoteConfigStatuses.RemoteConfigStatuses_APPLIED)).isTrue();
    assertThat(last().getHealth().getLastError()).isEqualTo("exporter otlp: connection refused");
  }

  @Test
  void anAgentThatGoesAwayLeavesWithoutAnsweringTheConfig() {
    AgentRemoteConfig config = config("receivers: {}\n");
    OpampServer server = server(false);
    agent(SimulatedAgent.builder(SimulatedAgent.newUid()).behaviour(body -> Reaction.goAway())
        .dialer(moves -> client("ws", server, false)));
    await().atMost(PATIENCE).until(() -> connections.size() == 1);

    connections.get(0).send(ServerToAgent.newBuilder().setRemoteConfig(config).build());

    await().atMost(PATIENCE).until(() -> last().hasAgentDisconnect());
    assertThat(received).noneMatch(AgentToServer::hasRemoteConfigStatus);
  }

  @Test
  void anAgentWhoseServerFailsItMovesOnToTheNextOneAndReportsWhatItHas() {
    OpampServer first = server(false);
    OpampServer second = server(false);
    List<OpampServer> order = List.of(first, second);
    AtomicLong reconnects = new AtomicLong();
    AgentRemoteConfig config = config("receivers: {}\n");
    SimulatedAgent agent = agent(SimulatedAgent.builder(SimulatedAgent.newUid()).movingOnWhenItsServerFails()
        .listener(new AgentListener() {
          @Override
          public void reconnected() {
            reconnects.incrementAndGet();
          }
        })
        .dialer(moves -> client("ws", order.get(moves % order.size()), false)));
    await().atMost(PATIENCE).until(() -> connections.size() == 1);
    connections.get(0).send(ServerToAgent.newBuilder().setRemoteConfig(config).build());
    await().atMost(PATIENCE).until(() -> reported(config, RemoteConfigStatuses.RemoteConfigStatuses_APPLIED));

    first.close();
    servers.remove(first);
    received.clear();

    await().atMost(PATIENCE).until(() -> connections.size() == 2 && !received.isEmpty());
    assertThat(connectedTo).containsExactly(0, 1);
    assertThat(received.get(0).getRemoteConfigStatus().getLastRemoteConfigHash()).isEqualTo(config.getConfigHash());
    assertThat(reconnects.get()).isEqualTo(1);
    assertThat(agent.uid()).isNotEmpty();
  }

  private SimulatedAgent agent(SimulatedAgent.Builder builder) {
    SimulatedAgent agent = builder.build();
    agents.add(agent);
    return agent.start();
  }

  private AgentToServer last() {
    return received.get(received.size() - 1);
  }

  private OpampServer server(boolean tls) {
    int index = servers.size();
    OpampServer.Builder builder = OpampServer.builder()
        .bind(new InetSocketAddress("127.0.0.1", 0))
        .callbacks(new ServerCallbacks() {
          @Override
          public void onConnected(AgentConnection connection) {
            connections.add(connection);
            connectedTo.add(index);
          }

          @Override
          public CompletionStage<ServerToAgent> onMessage(AgentConnection connection, AgentToServer message) {
            received.add(message);
            ServerToAgent reply = replies.apply(connection, message);
            return CompletableFuture.completedFuture(reply == null ? ServerToAgent.getDefaultInstance() : reply);
          }
        });
    if (tls) {
      builder.tls(TlsContexts.preferred().mutualTlsServer(ca.issueServer(ServerNames.localhost(), Validity.days(1)),
          ca.certificate()));
    }
    OpampServer server = builder.start();
    servers.add(server);
    return server;
  }

  private OpampClient.Builder client(String scheme, OpampServer server, boolean tls) {
    OpampClient.Builder builder = OpampClient.builder()
        .endpoint(URI.create(scheme + "://localhost:" + server.address().getPort() + OpampServer.DEFAULT_PATH))
        .backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), 2))
        .pollingInterval(Duration.ofMillis(200));
    return tls ? builder.tls(TlsContexts.preferred().mutualTlsClient(ca.issueClient("our-agent", Validity.days(1)),
        ca.certificate())) : builder;
  }

  private boolean reported(AgentRemoteConfig offer, RemoteConfigStatuses status) {
    return received.stream().anyMatch(message -> message.getRemoteConfigStatus().getStatus() == status
        && message.getRemoteConfigStatus().getLastRemoteConfigHash().equals(offer.getConfigHash()));
  }

  private static AgentRemoteConfig config(String yaml) {
    return AgentRemoteConfig.newBuilder()
        .setConfig(AgentConfigMap.newBuilder().putConfigMap("", AgentConfigFile.newBuilder()
            .setBody(ByteString.copyFromUtf8(yaml)).build()))
        .setConfigHash(ByteString.copyFromUtf8(Integer.toHexString(yaml.hashCode())))
        .build();
  }
}

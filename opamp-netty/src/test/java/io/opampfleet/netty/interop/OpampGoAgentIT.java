package io.opampfleet.netty.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.CertifiedKey;
import io.opampfleet.certs.KeyAlgorithm;
import io.opampfleet.certs.Pem;
import io.opampfleet.certs.ServerNames;
import io.opampfleet.certs.TlsContexts;
import io.opampfleet.certs.Validity;
import io.opampfleet.netty.server.OpampServer;
import io.opampfleet.netty.server.Transport;
import io.opampfleet.peers.GoPeer;
import io.opampfleet.proto.AgentRemoteConfig;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.proto.ServerToAgentFlags;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * opamp-go's client, in a Go program of ours built from the Go module proxy, as an agent against
 * our server: over plain WebSocket and HTTP, and both over mutual TLS.
 */
class OpampGoAgentIT {
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  @TempDir
  Path dir;

  private final RecordingCallbacks callbacks = new RecordingCallbacks();
  private OpampServer server;
  private GoPeer agent;

  @AfterEach
  void stop() {
    if (agent != null) {
      agent.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ws", "http", "wss", "https"})
  void anOpampGoAgentIsServedFromDescriptionToGoodbye(String scheme) throws Exception {
    AgentRemoteConfig first = RecordingCallbacks.config("receivers:\n  otlp: {}\n");
    callbacks.offerOnNextReply.set(first);
    agent = GoPeer.start("agent", agentArguments(scheme));

    await("description reported").atMost(PATIENCE).until(() -> described() != null);
    assertThat(described().getAgentDescription().getIdentifyingAttributesList())
        .extracting(KeyValue::getKey, kv -> kv.getValue().getStringValue())
        .containsExactly(org.assertj.core.groups.Tuple.tuple("service.name", "opamp-go-agent"));
    await("offered config applied").atMost(PATIENCE).until(() -> applied(first));
    await("effective config reported").atMost(PATIENCE).until(() -> callbacks.received.stream().anyMatch(message ->
        message.getEffectiveConfig().getConfigMap().equals(first.getConfig())));
    assertThat(callbacks.connection.get().transport()).isEqualTo(scheme.startsWith("ws") ? Transport.WEBSOCKET : Transport.HTTP);

    int before = callbacks.received.size();
    callbacks.connection.get().send(ServerToAgent.newBuilder()
        .setFlags(ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE).build());
    await("full state sent again").atMost(PATIENCE).until(() -> callbacks.received.stream().skip(before)
        .anyMatch(m -> m.hasAgentDescription() && m.hasEffectiveConfig()));

    AgentRemoteConfig second = RecordingCallbacks.config("exporters:\n  debug: {}\n");
    callbacks.connection.get().send(ServerToAgent.newBuilder().setCapabilities(RecordingCallbacks.CAPABILITIES)
        .setRemoteConfig(second).build());
    await("server-sent config applied").atMost(PATIENCE).until(() -> applied(second));
    assertThat(agent.events()).contains("remote_config " + HexFormat.of().formatHex(second.getConfigHash().toByteArray()));

    assertThat(agent.stop()).isZero();
    assertThat(agent.events()).contains("stopped");
    if (scheme.startsWith("ws")) {
      // opamp-go's HTTP client sends no agent_disconnect when it stops (a SHOULD only since spec 0.18).
      await("goodbye").atMost(PATIENCE).until(() -> callbacks.received.stream().anyMatch(AgentToServer::hasAgentDisconnect));
      await("closed").atMost(PATIENCE).until(() -> !callbacks.closed.isEmpty());
    }
    assertThat(agent.events()).noneMatch(e -> e.startsWith("error") || e.startsWith("connect_failed"));
  }

  private String[] agentArguments(String scheme) {
    List<String> args = new ArrayList<>();
    boolean tls = scheme.equals("wss") || scheme.equals("https");
    OpampServer.Builder builder = OpampServer.builder().bind(new InetSocketAddress("127.0.0.1", 0)).callbacks(callbacks);
    if (tls) {
      CertificateAuthority ca = CertificateAuthority.create("Interop CA", KeyAlgorithm.EC_P256, Validity.days(1));
      CertifiedKey agentKey = ca.issueClient("opamp-go-agent", Validity.days(1));
      builder.tls(TlsContexts.preferred().mutualTlsServer(ca.issueServer(ServerNames.localhost(), Validity.days(1)),
          ca.certificate()));
      Pem.write(dir.resolve("ca.crt"), ca.certificate());
      Pem.write(dir.resolve("agent.crt"), (Object[]) agentKey.chainArray());
      Pem.write(dir.resolve("agent.key"), agentKey.privateKey());
      args.addAll(List.of("-ca", dir.resolve("ca.crt").toString(), "-cert", dir.resolve("agent.crt").toString(),
          "-key", dir.resolve("agent.key").toString()));
    }
    server = builder.start();
    args.addAll(List.of("-url", scheme + "://localhost:" + server.address().getPort() + OpampServer.DEFAULT_PATH));
    return args.toArray(new String[0]);
  }

  private AgentToServer described() {
    return callbacks.received.stream().filter(AgentToServer::hasAgentDescription).findFirst().orElse(null);
  }

  private boolean applied(AgentRemoteConfig offer) {
    return callbacks.received.stream().anyMatch(message ->
        message.getRemoteConfigStatus().getStatus() == RemoteConfigStatuses.RemoteConfigStatuses_APPLIED
            && message.getRemoteConfigStatus().getLastRemoteConfigHash().equals(offer.getConfigHash()));
  }
}

package io.opampfleet.netty.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.CertifiedKey;
import io.opampfleet.certs.KeyAlgorithm;
import io.opampfleet.certs.Pem;
import io.opampfleet.certs.ServerNames;
import io.opampfleet.certs.TlsContexts;
import io.opampfleet.certs.Validity;
import io.opampfleet.netty.client.ClientCallbacks;
import io.opampfleet.netty.client.OpampClient;
import io.opampfleet.peers.GoPeer;
import io.opampfleet.proto.AgentCapabilities;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.proto.ServerToAgent;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our client as an agent against opamp-go's server, in a Go program of ours built from the Go
 * module proxy: over plain WebSocket and HTTP, and both over mutual TLS.
 */
class ClientAgainstOpampGoServerIT {
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  @TempDir
  Path dir;

  private GoPeer server;
  private OpampClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.stop().orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
    if (server != null) {
      server.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ws", "http", "wss", "https"})
  void ourClientIsServedByOpampGoFromDescriptionToGoodbye(String scheme) throws Exception {
    boolean secure = scheme.equals("wss") || scheme.equals("https");
    CertificateAuthority ca = CertificateAuthority.create("Interop CA", KeyAlgorithm.EC_P256, Validity.days(1));
    server = GoPeer.start("server", serverArguments(secure, ca));
    await("listening").atMost(PATIENCE).until(() -> server.saw("listening "));
    int port = Integer.parseInt(server.events().stream().filter(e -> e.startsWith("listening ")).findFirst().orElseThrow()
        .substring("listening ".length()));

    OpampClient.Builder builder = OpampClient.builder()
        .endpoint(URI.create(scheme + "://localhost:" + port + "/v1/opamp"))
        .instanceUid(ByteString.copyFromUtf8("our-client-uid-1"))
        .capabilities(AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig_VALUE
            | AgentCapabilities.AgentCapabilities_ReportsRemoteConfig_VALUE
            | AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig_VALUE)
        .pollingInterval(Duration.ofMillis(200));
    if (secure) {
      builder.tls(TlsContexts.preferred().mutualTlsClient(ca.issueClient("our-agent", Validity.days(1)), ca.certificate()));
    }
    AtomicReference<OpampClient> self = new AtomicReference<>();
    client = builder.callbacks(new ClientCallbacks() {
      @Override
      public void onMessage(ServerToAgent message) {
        if (message.hasRemoteConfig()) {
          self.get().setEffectiveConfig(EffectiveConfig.newBuilder().setConfigMap(message.getRemoteConfig().getConfig()).build());
          self.get().setRemoteConfigStatus(RemoteConfigStatus.newBuilder()
              .setLastRemoteConfigHash(message.getRemoteConfig().getConfigHash())
              .setStatus(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED).build());
        }
      }
    }).build();
    self.set(client);
    client.setAgentDescription(AgentDescription.newBuilder().addIdentifyingAttributes(KeyValue.newBuilder()
        .setKey("service.name").setValue(AnyValue.newBuilder().setStringValue("our-agent"))).build());
    client.start();

    await("first config applied").atMost(PATIENCE).until(() -> server.events().stream()
        .anyMatch(e -> e.contains("status=RemoteConfigStatuses_APPLIED:cfg-1")));
    assertThat(messages()).first().satisfies(first -> assertThat(first).contains("seq=1 description=our-agent"));
    assertThat(messages()).as("the full state, asked for in the first reply, comes with the next message")
        .element(1).satisfies(second -> assertThat(second).contains("description=our-agent").contains("effective=true"));
    await("server-sent config applied").atMost(PATIENCE).until(() -> server.events().stream()
        .anyMatch(e -> e.contains("status=RemoteConfigStatuses_APPLIED:cfg-2")));

    client.stop().get(10, TimeUnit.SECONDS);
    client = null;
    await("goodbye").atMost(PATIENCE).until(() -> messages().stream().anyMatch(e -> e.endsWith("disconnect=true")));
    assertThat(server.stop()).isZero();
  }

  private List<String> messages() {
    return server.events().stream().filter(e -> e.startsWith("message ")).toList();
  }

  private String[] serverArguments(boolean secure, CertificateAuthority ca) {
    List<String> args = new ArrayList<>(List.of("-listen", "127.0.0.1:0"));
    if (secure) {
      CertifiedKey serverKey = ca.issueServer(ServerNames.localhost(), Validity.days(1));
      Pem.write(dir.resolve("ca.crt"), ca.certificate());
      Pem.write(dir.resolve("server.crt"), (Object[]) serverKey.chainArray());
      Pem.write(dir.resolve("server.key"), serverKey.privateKey());
      args.addAll(List.of("-ca", dir.resolve("ca.crt").toString(), "-cert", dir.resolve("server.crt").toString(),
          "-key", dir.resolve("server.key").toString()));
    }
    return args.toArray(new String[0]);
  }
}

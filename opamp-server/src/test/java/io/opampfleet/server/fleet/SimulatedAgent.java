package io.opampfleet.server.fleet;

import com.google.protobuf.ByteString;
import io.netty.handler.ssl.SslContext;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.netty.client.Backoff;
import io.opampfleet.netty.client.ClientCallbacks;
import io.opampfleet.netty.client.OpampClient;
import io.opampfleet.proto.AgentCapabilities;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.proto.ServerErrorResponse;
import io.opampfleet.proto.ServerToAgent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An agent on our client that applies what it is sent: a config whose body contains
 * {@code # fail} is reported FAILED and the agent keeps its previous config, as a supervisor does.
 */
public final class SimulatedAgent implements ClientCallbacks, AutoCloseable {
  private static final long CAPABILITIES = AgentCapabilities.AgentCapabilities_ReportsStatus_VALUE
      | AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig_VALUE
      | AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig_VALUE
      | AgentCapabilities.AgentCapabilities_ReportsRemoteConfig_VALUE
      | AgentCapabilities.AgentCapabilities_ReportsHealth_VALUE
      | AgentCapabilities.AgentCapabilities_AcceptsRestartCommand_VALUE;

  public final List<ServerToAgent> received = new CopyOnWriteArrayList<>();
  public final List<ServerErrorResponse> errors = new CopyOnWriteArrayList<>();
  private final ByteString uid;
  private final OpampClient client;
  private volatile String running = "";

  private final boolean fragile;

  /** A fragile agent also fails configs marked {@code # fragile}, as part of a fleet might. */
  public SimulatedAgent(URI endpoint, SslContext tls, Map<String, String> labels, ByteString uid, boolean fragile) {
    this.uid = uid;
    this.fragile = fragile;
    OpampClient.Builder builder = OpampClient.builder().endpoint(endpoint).instanceUid(uid).capabilities(CAPABILITIES)
        .backoff(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2))
        .callbacks(this);
    if (tls != null) {
      builder.tls(tls);
    }
    this.client = builder.build();
    AgentDescription.Builder description = AgentDescription.newBuilder();
    labels.forEach((key, value) -> description.addIdentifyingAttributes(KeyValue.newBuilder().setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))));
    client.setAgentDescription(description.build());
    client.setHealth(ComponentHealth.newBuilder().setHealthy(true).setStatus("StatusOK").build());
  }

  public static ByteString newUid() {
    UUID uuid = UUID.randomUUID();
    return ByteString.copyFrom(java.nio.ByteBuffer.allocate(16)
        .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).array());
  }

  public SimulatedAgent start() {
    client.start();
    return this;
  }

  public String uid() {
    return InstanceUid.text(uid);
  }

  /** The config body the agent runs now. */
  public String running() {
    return running;
  }

  @Override
  public void onError(ServerErrorResponse error) {
    errors.add(error);
  }

  @Override
  public void onMessage(ServerToAgent message) {
    received.add(message);
    if (!message.hasRemoteConfig()) {
      return;
    }
    String body = message.getRemoteConfig().getConfig().getConfigMapMap().values().stream()
        .map(file -> file.getBody().toString(StandardCharsets.UTF_8)).findFirst().orElse("");
    boolean fails = body.contains("# fail") || (fragile && body.contains("# fragile"));
    if (!fails) {
      running = body;
      client.setEffectiveConfig(EffectiveConfig.newBuilder().setConfigMap(message.getRemoteConfig().getConfig()).build());
    }
    client.setRemoteConfigStatus(RemoteConfigStatus.newBuilder()
        .setLastRemoteConfigHash(message.getRemoteConfig().getConfigHash())
        .setStatus(fails ? RemoteConfigStatuses.RemoteConfigStatuses_FAILED : RemoteConfigStatuses.RemoteConfigStatuses_APPLIED)
        .setErrorMessage(fails ? "the collector refused the config: unknown component" : "")
        .build());
  }

  @Override
  public void close() {
    client.stop().join();
  }
}

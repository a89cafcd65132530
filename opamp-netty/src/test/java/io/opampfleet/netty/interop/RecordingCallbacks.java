package io.opampfleet.netty.interop;

import com.google.protobuf.ByteString;
import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.ServerCallbacks;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.AgentRemoteConfig;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ServerCapabilities;
import io.opampfleet.proto.ServerToAgent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/** A server's callbacks that keep every message and can offer a config or ask for the full state. */
final class RecordingCallbacks implements ServerCallbacks {
  static final long CAPABILITIES = ServerCapabilities.ServerCapabilities_AcceptsStatus_VALUE
      | ServerCapabilities.ServerCapabilities_OffersRemoteConfig_VALUE
      | ServerCapabilities.ServerCapabilities_AcceptsEffectiveConfig_VALUE;

  final List<AgentToServer> received = new CopyOnWriteArrayList<>();
  final AtomicReference<AgentConnection> connection = new AtomicReference<>();
  final AtomicReference<AgentRemoteConfig> offerOnNextReply = new AtomicReference<>();
  final AtomicBoolean askFullStateOnNextReply = new AtomicBoolean();
  final List<AgentConnection> closed = new CopyOnWriteArrayList<>();
  private final Set<ByteString> described = ConcurrentHashMap.newKeySet();

  static AgentRemoteConfig config(String yaml) {
    byte[] body = yaml.getBytes(StandardCharsets.UTF_8);
    return AgentRemoteConfig.newBuilder()
        .setConfig(AgentConfigMap.newBuilder().putConfigMap("", AgentConfigFile.newBuilder()
            .setBody(ByteString.copyFrom(body)).setContentType("text/yaml").build()))
        .setConfigHash(ByteString.copyFromUtf8(Integer.toHexString(yaml.hashCode())))
        .build();
  }

  @Override
  public void onConnected(AgentConnection agent) {
    connection.set(agent);
  }

  @Override
  public CompletionStage<ServerToAgent> onMessage(AgentConnection agent, AgentToServer message) {
    connection.set(agent);
    received.add(message);
    ServerToAgent.Builder reply = ServerToAgent.newBuilder().setCapabilities(CAPABILITIES);
    AgentRemoteConfig offer = offerOnNextReply.getAndSet(null);
    if (offer != null) {
      reply.setRemoteConfig(offer);
    }
    if (message.hasAgentDescription()) {
      described.add(message.getInstanceUid());
    }
    // As a real server does (spec 3.5): ask for the full state when the agent's description is
    // missing. The contrib client's WebSocket transport loses its first message, sent before the
    // socket opens, and then leaves the description out as unchanged.
    boolean stateMissing = !described.contains(message.getInstanceUid());
    if (askFullStateOnNextReply.getAndSet(false) || stateMissing) {
      reply.setFlags(io.opampfleet.proto.ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE);
    }
    return CompletableFuture.completedFuture(reply.build());
  }

  @Override
  public void onClose(AgentConnection agent) {
    closed.add(agent);
  }
}

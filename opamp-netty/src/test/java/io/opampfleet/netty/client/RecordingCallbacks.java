package io.opampfleet.netty.client;

import com.google.protobuf.ByteString;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.proto.ServerToAgent;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** An agent on our client that applies every config it is offered and reports it, as a test peer. */
final class ConfigApplyingAgent implements ClientCallbacks {
  final List<ServerToAgent> messages = new CopyOnWriteArrayList<>();
  final AtomicInteger connects = new AtomicInteger();
  final List<Throwable> failures = new CopyOnWriteArrayList<>();
  OpampClient client;

  static ByteString newUid() {
    UUID uuid = UUID.randomUUID();
    return ByteString.copyFrom(java.nio.ByteBuffer.allocate(16)
        .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).array());
  }

  static AgentDescription description(String name) {
    return AgentDescription.newBuilder().addIdentifyingAttributes(KeyValue.newBuilder().setKey("service.name")
        .setValue(AnyValue.newBuilder().setStringValue(name))).build();
  }

  @Override
  public void onConnect() {
    connects.incrementAndGet();
  }

  @Override
  public void onConnectFailed(Throwable cause) {
    failures.add(cause);
  }

  @Override
  public void onMessage(ServerToAgent message) {
    messages.add(message);
    if (message.hasRemoteConfig()) {
      client.setEffectiveConfig(EffectiveConfig.newBuilder().setConfigMap(message.getRemoteConfig().getConfig()).build());
      client.setRemoteConfigStatus(RemoteConfigStatus.newBuilder()
          .setLastRemoteConfigHash(message.getRemoteConfig().getConfigHash())
          .setStatus(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED)
          .build());
    }
  }
}

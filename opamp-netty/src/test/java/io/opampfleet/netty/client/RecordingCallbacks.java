package io.opampfleet.netty.client;

import com.google.protobuf.ByteString;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.KeyValue;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/** A client's callbacks that note the connections that failed; what an agent does is the simulated agent's. */
final class RecordingCallbacks implements ClientCallbacks {
  final List<Throwable> failures = new CopyOnWriteArrayList<>();

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
  public void onConnectFailed(Throwable cause) {
    failures.add(cause);
  }
}

package io.opampfleet.netty.server.internal;

import com.google.protobuf.ByteString;
import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.ServerCallbacks;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.CustomMessage;
import io.opampfleet.proto.ServerToAgent;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Callbacks that keep the reply to the message of sequence number {@link #HELD} until the test lets
 * it go, so that message stays in the server's hands; every other message is answered at once.
 */
final class HeldReply implements ServerCallbacks {
  static final long HELD = 7;

  final CompletableFuture<ServerToAgent> reply = new CompletableFuture<>();
  /** The sequence numbers of the messages handed to the callbacks, in order. */
  final List<Long> handed = new CopyOnWriteArrayList<>();

  @Override
  public CompletionStage<ServerToAgent> onMessage(AgentConnection connection, AgentToServer message) {
    handed.add(message.getSequenceNum());
    return message.getSequenceNum() == HELD ? reply : ServerCallbacks.super.onMessage(connection, message);
  }

  /** The report with {@code bytes} of custom message data, to make it weigh. */
  static AgentToServer weighing(AgentToServer report, int bytes) {
    return report.toBuilder().setCustomMessage(CustomMessage.newBuilder().setData(ByteString.copyFrom(new byte[bytes])))
        .build();
  }
}

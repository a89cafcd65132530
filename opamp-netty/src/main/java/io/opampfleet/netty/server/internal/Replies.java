package io.opampfleet.netty.server.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.opampfleet.proto.ServerErrorResponse;
import io.opampfleet.proto.ServerErrorResponseType;
import io.opampfleet.proto.ServerToAgent;
import java.util.Map;

/** ServerToAgent messages the transport itself makes: error replies, and merged pending messages. */
final class Replies {
  private Replies() {}

  /** The reply to a message the server could not read; the agent should not send it again. */
  static ServerToAgent badRequest(ByteString instanceUid, String reason) {
    return error(instanceUid, ServerErrorResponseType.ServerErrorResponseType_BadRequest, reason);
  }

  static ServerToAgent error(ByteString instanceUid, ServerErrorResponseType type, String reason) {
    return ServerToAgent.newBuilder()
        .setInstanceUid(instanceUid)
        .setErrorResponse(ServerErrorResponse.newBuilder().setType(type).setErrorMessage(reason))
        .build();
  }

  /**
   * One message carrying both: each field {@code newer} sets replaces {@code older}'s, and flags
   * add up, so an agent gets every request made since its last poll.
   */
  static ServerToAgent merge(ServerToAgent older, ServerToAgent newer) {
    if (older == null) {
      return newer;
    }
    if (newer == null) {
      return older;
    }
    ServerToAgent.Builder merged = older.toBuilder();
    for (Map.Entry<FieldDescriptor, Object> field : newer.getAllFields().entrySet()) {
      merged.setField(field.getKey(), field.getValue());
    }
    return merged.setFlags(older.getFlags() | newer.getFlags()).build();
  }
}

package io.opampfleet.netty.server.internal;

import com.google.protobuf.ByteString;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.ServerCallbacks;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ServerErrorResponseType;
import io.opampfleet.proto.ServerToAgent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands agents' messages to the callbacks, one connection's at a time and in order, and makes
 * every answer a reply the protocol allows: the agent's instance uid echoed, within the size limit.
 */
public final class MessageDispatcher {
  private static final Logger log = LoggerFactory.getLogger(MessageDispatcher.class);

  private final ServerCallbacks callbacks;
  private final Executor executor;
  private final int maxMessageBytes;

  /** {@code executor} runs the callbacks; {@code Runnable::run} runs them on the event loop. */
  public MessageDispatcher(ServerCallbacks callbacks, Executor executor, int maxMessageBytes) {
    this.callbacks = callbacks;
    this.executor = executor;
    this.maxMessageBytes = maxMessageBytes;
  }

  ServerCallbacks callbacks() {
    return callbacks;
  }

  int maxMessageBytes() {
    return maxMessageBytes;
  }

  /** Runs a callback on the callbacks' executor. */
  <T> CompletableFuture<T> invoke(Supplier<T> callback) {
    return CompletableFuture.supplyAsync(callback, executor);
  }

  /** Tells the callbacks of a new or closed connection, after any of its messages still in hand. */
  void connected(ConnectionBase connection) {
    connection.dispatch().then(() -> run(() -> callbacks.onConnected(connection)), executor);
  }

  void closed(ConnectionBase connection) {
    connection.dispatch().then(() -> run(() -> callbacks.onClose(connection)), executor);
  }

  /** The reply to one message, after the connection's earlier ones. Never fails. */
  CompletableFuture<ServerToAgent> dispatch(ConnectionBase connection, AgentToServer message) {
    connection.heardFrom(message.getInstanceUid());
    return connection.dispatch().then(() -> answer(connection, message), executor);
  }

  private CompletionStage<ServerToAgent> answer(AgentConnection connection, AgentToServer message) {
    CompletionStage<ServerToAgent> reply;
    try {
      reply = callbacks.onMessage(connection, message);
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    // Finished on the callbacks' executor: a reply completed by another thread (a store writer, say)
    // must not be sized and sent on that thread.
    return reply.handleAsync((answer, failure) -> {
      if (failure != null) {
        log.warn("agent {}: the message callback failed: {}", InstanceUid.text(message.getInstanceUid()), failure.toString());
        return Replies.error(message.getInstanceUid(), ServerErrorResponseType.ServerErrorResponseType_Unknown,
            "the server could not process the message");
      }
      return withinLimit(echoUid(answer, message.getInstanceUid()));
    }, executor);
  }

  private ServerToAgent echoUid(ServerToAgent answer, ByteString instanceUid) {
    if (answer == null) {
      return ServerToAgent.newBuilder().setInstanceUid(instanceUid).build();
    }
    return answer.getInstanceUid().isEmpty() ? answer.toBuilder().setInstanceUid(instanceUid).build() : answer;
  }

  /** The message, or an error reply in its place when it is larger than the limit allows. */
  ServerToAgent withinLimit(ServerToAgent reply) {
    int size = reply.getSerializedSize() + 1;
    if (size <= maxMessageBytes) {
      return reply;
    }
    log.warn("agent {}: discarded a reply of {} bytes, over the {} byte message limit",
        InstanceUid.text(reply.getInstanceUid()), size, maxMessageBytes);
    return Replies.error(reply.getInstanceUid(), ServerErrorResponseType.ServerErrorResponseType_Unknown,
        "the server's reply was larger than the message limit and was not sent");
  }

  private static CompletionStage<Void> run(Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      log.warn("a connection callback failed: {}", e.toString());
    }
    return CompletableFuture.completedFuture(null);
  }
}

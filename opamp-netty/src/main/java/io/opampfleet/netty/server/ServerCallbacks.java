package io.opampfleet.netty.server;

import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ServerCapabilities;
import io.opampfleet.proto.ServerToAgent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What the server calls as agents come and go. Every method has a default that does nothing or
 * answers plainly, so an implementation overrides only what it needs. The calls run on the
 * executor given to the server, or on the connection's event loop when none is given: then they
 * must not block.
 */
public interface ServerCallbacks {
  /** Decides whether to accept a WebSocket upgrade or an HTTP request; accepts by default. */
  default ConnectionDecision onConnecting(ConnectionRequest request) {
    return ConnectionDecision.accept();
  }

  /** A WebSocket is open, or an HTTP agent polled for the first time. */
  default void onConnected(AgentConnection connection) {}

  /**
   * Answers a message, now or later. The server fills in the reply's instance uid, and sends
   * nothing else to this connection's later messages until this reply is on its way. Messages of
   * one connection are handed over one at a time, in order. The default acknowledges with the
   * AcceptsStatus capability.
   */
  default CompletionStage<ServerToAgent> onMessage(AgentConnection connection, AgentToServer message) {
    return CompletableFuture.completedFuture(ServerToAgent.newBuilder()
        .setCapabilities(ServerCapabilities.ServerCapabilities_AcceptsStatus_VALUE)
        .build());
  }

  /** The WebSocket closed, or the HTTP agent said goodbye with agent_disconnect. */
  default void onClose(AgentConnection connection) {}
}

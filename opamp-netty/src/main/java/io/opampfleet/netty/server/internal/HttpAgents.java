package io.opampfleet.netty.server.internal;

import com.google.protobuf.ByteString;
import io.opampfleet.netty.server.ConnectionRequest;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The agents polling over HTTP, by instance uid: each keeps one connection across its polls. */
final class HttpAgents {
  private final ConcurrentMap<ByteString, HttpAgentConnection> agents = new ConcurrentHashMap<>();
  private final MessageDispatcher dispatcher;

  HttpAgents(MessageDispatcher dispatcher) {
    this.dispatcher = dispatcher;
  }

  /** The agent's connection, made (and announced) on its first poll. */
  HttpAgentConnection polled(ByteString instanceUid, ConnectionRequest request) {
    HttpAgentConnection[] created = new HttpAgentConnection[1];
    HttpAgentConnection connection = agents.computeIfAbsent(instanceUid, uid -> created[0] = new HttpAgentConnection(
        this, request.remoteAddress(), request.peerCertificates(), dispatcher.maxMessageBytes()));
    connection.polledFrom(request.remoteAddress());
    if (created[0] != null) {
      dispatcher.connected(connection);
    }
    return connection;
  }

  void forget(HttpAgentConnection connection) {
    if (agents.values().remove(connection)) {
      connection.markClosed();
      dispatcher.closed(connection);
    }
  }

  int size() {
    return agents.size();
  }
}

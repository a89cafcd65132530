package io.opampfleet.netty.server.internal;

import com.google.protobuf.ByteString;
import io.opampfleet.netty.server.ConnectionRequest;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import io.opampfleet.netty.InstanceUid;
import java.security.cert.X509Certificate;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agents polling over HTTP, by instance uid and client certificate: each keeps one connection
 * across its polls, and a poll with the same uid but another certificate is another connection,
 * so it can neither read what waits for the first nor pass for it.
 */
public final class HttpAgents {
  private static final Logger log = LoggerFactory.getLogger(HttpAgents.class);

  private record Key(ByteString uid, X509Certificate certificate) {}

  private final ConcurrentMap<Key, HttpAgentConnection> agents = new ConcurrentHashMap<>();
  private final MessageDispatcher dispatcher;

  HttpAgents(MessageDispatcher dispatcher) {
    this.dispatcher = dispatcher;
  }

  /** The agent's connection, made (and announced) on its first poll. */
  HttpAgentConnection polled(ByteString instanceUid, ConnectionRequest request) {
    HttpAgentConnection[] created = new HttpAgentConnection[1];
    Key key = new Key(instanceUid, request.peerCertificates().isEmpty() ? null : request.peerCertificates().get(0));
    HttpAgentConnection connection = agents.computeIfAbsent(key, uid -> created[0] = new HttpAgentConnection(
        this, key, request.remoteAddress(), request.peerCertificates(), dispatcher.maxMessageBytes()));
    connection.polledFrom(request.remoteAddress());
    if (created[0] != null) {
      dispatcher.connected(connection);
    }
    return connection;
  }

  void forget(HttpAgentConnection connection) {
    if (agents.remove(connection.key(), connection)) {
      connection.markClosed();
      dispatcher.closed(connection);
    }
  }

  /** Forgets the agents that have not polled for {@code timeout}: they went away without saying so. */
  public void expire(Duration timeout) {
    long cutoff = System.nanoTime() - timeout.toNanos();
    for (HttpAgentConnection connection : agents.values()) {
      if (connection.silentSince(cutoff)) {
        log.info("agent {}: forgotten after polling nothing for {} s", InstanceUid.text(connection.instanceUid()),
            timeout.toSeconds());
        forget(connection);
      }
    }
  }

  int size() {
    return agents.size();
  }
}

package io.opampfleet.netty.server;

import io.opampfleet.proto.ServerToAgent;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * One agent's link to the server. Over WebSocket it is the socket; over HTTP it is the agent
 * (by instance uid) across its polls, and what is sent waits for the next poll.
 */
public interface AgentConnection {
  Transport transport();

  /** The address of the agent's last request. */
  InetSocketAddress remoteAddress();

  /** The agent's certificate chain, leaf first; empty without mutual TLS. */
  List<X509Certificate> peerCertificates();

  /**
   * Sends a message at any time: at once over WebSocket; over HTTP, merged into what the agent's
   * next poll gets. A message larger than the server's limit is not sent and fails the stage.
   */
  CompletionStage<Void> send(ServerToAgent message);

  /** Closes the WebSocket with a Close frame, or forgets the HTTP agent. */
  void close();

  boolean isOpen();

  /**
   * The server keeps an agent for this connection, whatever it answers next (an error included): over
   * HTTP a connection whose every answer was an error, with this never said, is not kept after the poll.
   */
  default void accepted() {}
}

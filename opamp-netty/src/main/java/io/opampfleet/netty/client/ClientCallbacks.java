package io.opampfleet.netty.client;

import io.opampfleet.proto.ServerErrorResponse;
import io.opampfleet.proto.ServerToAgent;

/**
 * What the client calls as its connection and the server's messages come; every method does
 * nothing by default. The calls run on the executor given to the client, or on its event loop
 * when none is given: then they must not block. The client's own setters may be called from them.
 */
public interface ClientCallbacks {
  /** Connected: the WebSocket is open, or an HTTP poll was answered after none or a failure. */
  default void onConnect() {}

  /** A new connection finished its TLS handshake, this long after the connection attempt began. */
  default void onTlsHandshake(java.time.Duration took) {}

  /** A connection attempt or poll failed; the client retries by itself. */
  default void onConnectFailed(Throwable cause) {}

  /** The server answered with an error response instead of content. */
  default void onError(ServerErrorResponse error) {}

  /**
   * A message from the server with content for the agent: remote config, connection settings,
   * packages, a command, custom messages. Protocol fields (flags, the agent's new instance uid,
   * the heartbeat interval) are already handled when this is called.
   */
  default void onMessage(ServerToAgent message) {}
}

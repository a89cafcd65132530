package io.opampfleet.netty.server;

/** How an agent reaches the server: a WebSocket, or plain HTTP polling. */
public enum Transport {
  WEBSOCKET,
  HTTP
}

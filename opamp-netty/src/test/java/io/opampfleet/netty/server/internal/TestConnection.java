package io.opampfleet.netty.server.internal;

import io.opampfleet.netty.server.Transport;
import io.opampfleet.proto.ServerToAgent;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** An agent's connection with no socket behind it: it takes what is sent and stays open. */
final class TestConnection extends ConnectionBase {
  private final Transport transport;

  TestConnection(Transport transport) {
    super(List.of());
    this.transport = transport;
  }

  TestConnection() {
    this(Transport.WEBSOCKET);
  }

  @Override
  public Transport transport() {
    return transport;
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return new InetSocketAddress("127.0.0.1", 1);
  }

  @Override
  public CompletionStage<Void> send(ServerToAgent message) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public void close() {}

  @Override
  public boolean isOpen() {
    return true;
  }
}

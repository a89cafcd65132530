package io.opampfleet.server.internal.inventory;

import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.Transport;
import io.opampfleet.proto.ServerToAgent;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** An HTTP agent's link with no socket behind it: it takes what is sent and stays open. */
public final class PolledLink implements AgentConnection {
  @Override
  public Transport transport() {
    return Transport.HTTP;
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return new InetSocketAddress("10.0.0.1", 1);
  }

  @Override
  public List<X509Certificate> peerCertificates() {
    return List.of();
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

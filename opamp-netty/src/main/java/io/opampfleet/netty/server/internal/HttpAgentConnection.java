package io.opampfleet.netty.server.internal;

import io.opampfleet.netty.server.Transport;
import io.opampfleet.proto.ServerToAgent;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** An agent that polls over HTTP: what is sent waits, merged, for its next poll. */
final class HttpAgentConnection extends ConnectionBase {
  private final HttpAgents registry;
  private final int maxMessageBytes;
  private volatile InetSocketAddress remoteAddress;
  private volatile boolean open = true;
  private ServerToAgent pending;

  HttpAgentConnection(HttpAgents registry, InetSocketAddress remoteAddress, List<X509Certificate> peerCertificates,
      int maxMessageBytes) {
    super(peerCertificates);
    this.registry = registry;
    this.remoteAddress = remoteAddress;
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  public Transport transport() {
    return Transport.HTTP;
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return remoteAddress;
  }

  void polledFrom(InetSocketAddress address) {
    remoteAddress = address;
  }

  @Override
  public synchronized CompletionStage<Void> send(ServerToAgent message) {
    ServerToAgent merged = Replies.merge(pending, addressed(message));
    if (merged.getSerializedSize() > maxMessageBytes) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("the messages waiting for the agent's"
          + " next poll would be over the " + maxMessageBytes + " byte message limit"));
    }
    pending = merged;
    return CompletableFuture.completedFuture(null);
  }

  /** The reply to a poll, with everything sent since the last one merged under it. */
  synchronized ServerToAgent replyWithPending(ServerToAgent reply) {
    if (reply.hasErrorResponse() || pending == null) {
      return reply;
    }
    ServerToAgent merged = Replies.merge(pending, reply);
    if (merged.getSerializedSize() > maxMessageBytes) {
      return reply;
    }
    pending = null;
    return merged;
  }

  @Override
  public void close() {
    registry.forget(this);
  }

  void markClosed() {
    open = false;
  }

  @Override
  public boolean isOpen() {
    return open;
  }
}

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
  private final Object key;
  private final int maxMessageBytes;
  private volatile InetSocketAddress remoteAddress;
  private volatile boolean open = true;
  private volatile long lastPollNanos = System.nanoTime();
  private volatile boolean everAccepted;
  private ServerToAgent pending;
  private ServerToAgent pendingCommand;

  HttpAgentConnection(HttpAgents registry, Object key, InetSocketAddress remoteAddress,
      List<X509Certificate> peerCertificates, int maxMessageBytes) {
    super(peerCertificates);
    this.registry = registry;
    this.key = key;
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
    lastPollNanos = System.nanoTime();
  }

  /** Its key among the agents polling: its uid and certificate. */
  Object key() {
    return key;
  }

  @Override
  public void accepted() {
    everAccepted = true;
  }

  /**
   * Notes the server's answer to a poll; true when the connection should not be kept: every answer
   * it has had was an error and the server never said it keeps an agent for it (a stranger's
   * made-up uid, say), so it is nobody's connection.
   */
  boolean refusedThroughout(ServerToAgent answer) {
    everAccepted |= !answer.hasErrorResponse();
    return !everAccepted;
  }

  boolean silentSince(long nanos) {
    return lastPollNanos - nanos < 0;
  }

  @Override
  public synchronized CompletionStage<Void> send(ServerToAgent message) {
    ServerToAgent addressed = addressed(message);
    if (addressed.hasCommand()) {
      // The spec has a command travel with nothing but the uid and capabilities: it waits apart.
      pendingCommand = addressed;
      return CompletableFuture.completedFuture(null);
    }
    ServerToAgent merged = Replies.merge(pending, addressed);
    if (tooLarge(merged)) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("the messages waiting for the agent's"
          + " next poll would be over the " + maxMessageBytes + " byte message limit"));
    }
    pending = merged;
    return CompletableFuture.completedFuture(null);
  }

  /**
   * The reply to a poll: a waiting command alone (the reply's content then waits for the next
   * poll), or the reply with everything sent since the last poll merged under it.
   */
  synchronized ServerToAgent replyWithPending(ServerToAgent reply) {
    if (reply.hasErrorResponse() || reply.hasCommand()) {
      return reply;
    }
    if (pendingCommand != null) {
      ServerToAgent command = pendingCommand.toBuilder()
          .setInstanceUid(reply.getInstanceUid()).setCapabilities(reply.getCapabilities()).build();
      pendingCommand = null;
      pending = Replies.merge(pending, reply);
      return command;
    }
    if (pending == null) {
      return reply;
    }
    ServerToAgent merged = Replies.merge(pending, reply);
    if (tooLarge(merged)) {
      return reply;
    }
    pending = null;
    return merged;
  }

  /** A reply that could not be written: what it carried waits for the next poll again. */
  synchronized void undelivered(ServerToAgent reply) {
    if (reply.hasCommand()) {
      pendingCommand = pendingCommand == null ? reply : pendingCommand;
    } else if (!reply.hasErrorResponse()) {
      pending = Replies.merge(reply, pending);
    }
  }

  /** The same bound as every other reply's (the dispatcher's), so a merged reply is never cut. */
  private boolean tooLarge(ServerToAgent message) {
    return message.getSerializedSize() + 1 > maxMessageBytes;
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

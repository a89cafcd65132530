package io.opampfleet.netty.server.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.opampfleet.netty.server.Transport;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.proto.framing.WebSocketMessageCodec;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** An agent on a WebSocket: what is sent goes out at once. */
final class WebSocketAgentConnection extends ConnectionBase {
  private static final long CLOSE_GRACE_SECONDS = 5;

  private final Channel channel;
  private final int maxMessageBytes;

  WebSocketAgentConnection(Channel channel, List<X509Certificate> peerCertificates, int maxMessageBytes) {
    super(peerCertificates);
    this.channel = channel;
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  public Transport transport() {
    return Transport.WEBSOCKET;
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return ClientAddress.of(channel);
  }

  @Override
  public CompletionStage<Void> send(ServerToAgent unaddressed) {
    ServerToAgent message = addressed(unaddressed);
    int size = message.getSerializedSize() + WebSocketMessageCodec.HEADER_SIZE;
    if (size > maxMessageBytes) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "a ServerToAgent of " + size + " bytes is over the " + maxMessageBytes + " byte message limit"));
    }
    if (!channel.isActive() || channel.eventLoop().isShuttingDown()) {
      return CompletableFuture.failedFuture(new IllegalStateException("the agent's WebSocket is closed"));
    }
    CompletableFuture<Void> sent = new CompletableFuture<>();
    channel.writeAndFlush(new BinaryWebSocketFrame(WebSocketMessageCodec.encode(message, channel.alloc())))
        .addListener(done -> {
          if (done.isSuccess()) {
            sent.complete(null);
          } else {
            sent.completeExceptionally(done.cause());
          }
        });
    return sent;
  }

  @Override
  public void close() {
    close(WebSocketCloseStatus.NORMAL_CLOSURE);
  }

  /** Says why in a Close frame, then closes; a client that does not take the frame is closed anyway. */
  void close(WebSocketCloseStatus status) {
    if (channel.isActive()) {
      channel.writeAndFlush(new CloseWebSocketFrame(status)).addListener(ChannelFutureListener.CLOSE);
      channel.eventLoop().schedule(() -> {
        channel.close();
      }, CLOSE_GRACE_SECONDS, TimeUnit.SECONDS);
    }
  }

  @Override
  public boolean isOpen() {
    return channel.isActive();
  }
}

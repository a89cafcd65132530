package io.opampfleet.netty.client.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.proto.framing.WebSocketMessageCodec;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpAMP over a WebSocket: the whole status as the first message of each connection, then what
 * changes, heartbeats when nothing else went out for a while, a ping when nothing came in for a
 * while, and a reconnect when an open socket breaks or the ping goes unanswered: after the backoff's
 * first wait when the server had answered on it, after a growing one when it had not.
 */
public final class WebSocketTransport extends TransportBase {
  private static final Logger log = LoggerFactory.getLogger(WebSocketTransport.class);

  private final WebSocketClientFrames.Listener listener = new WebSocketClientFrames.Listener() {
    @Override
    public void opened(Channel channel) {
      WebSocketTransport.this.opened(channel);
    }

    @Override
    public void received(ServerToAgent message) {
      WebSocketTransport.this.received(message);
    }

    @Override
    public void closed(Throwable cause, Duration retryAfter) {
      if (retryAfter != null) {
        stayAway = retryAfter;
      }
      WebSocketTransport.this.closed(cause);
    }
  };

  private Channel channel;
  private Duration stayAway;
  /** Whether the server answered on the connection open now (or last): its close is no failure to connect. */
  private boolean answered;
  private long lastSentNanos;
  private ScheduledFuture<?> heartbeat;
  private Duration heartbeatScheduledFor = Duration.ZERO;
  private final CompletableFuture<Void> stoppedFuture = new CompletableFuture<>();

  public WebSocketTransport(ClientContext context) {
    super(context);
  }

  @Override
  protected void attempt() {
    if (stopped || channel != null) {
      return;
    }
    HttpHeaders headers = new DefaultHttpHeaders();
    context.headers().get().forEach(headers::set);
    WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
        .webSocketUri(context.endpoint())
        .customHeaders(headers)
        .maxFramePayloadLength(context.maxMessageBytes())
        .handshakeTimeoutMillis(10_000)
        .build();
    // First, so that every byte read (pongs too, which the protocol handler drops) counts as a sign of life.
    connect(() -> new ChannelHandler[] {new IdleStateHandler(context.pingAfter().toMillis(), 0, 0, TimeUnit.MILLISECONDS),
        new HttpClientCodec(), new HttpObjectAggregator(64 * 1024),
        new WebSocketClientProtocolHandler(config), new WebSocketFrameAggregator(context.maxMessageBytes()),
        new WebSocketClientFrames(listener)})
        .addListener((ChannelFutureListener) connect -> {
          if (!connect.isSuccess()) {
            retryLater(connect.cause(), null);
          }
        });
  }

  private void opened(Channel ch) {
    channel = ch;
    if (stopped) {
      send(context.state().goodbye());
      ch.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE)).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    stayAway = null;
    answered = false;
    context.callbackExecutor().execute(context.callbacks()::onConnect);
    context.state().requestFullState();
    send(context.state().next());
    scheduleHeartbeat();
  }

  private void received(ServerToAgent message) {
    Optional<Duration> away = ServerMessages.handle(context, message);
    if (away.isPresent()) {
      stayAway = away.get();
      channel.close();
      return;
    }
    // An answer, not the upgrade alone, ends the backoff: a server (or a balancer) that takes the
    // connection and closes it at once, or refuses every message, is retried with growing waits.
    if (context.state().isFor(message) && !message.hasErrorResponse()) {
      answered = true;
      succeeded();
    }
    sendNews();
    if (!context.state().heartbeatInterval().equals(heartbeatScheduledFor)) {
      scheduleHeartbeat();
    }
  }

  private void closed(Throwable cause) {
    channel = null;
    if (heartbeat != null) {
      heartbeat.cancel(false);
    }
    if (stopped) {
      stoppedFuture.complete(null);
    } else {
      // After a connection that was answered, the backoff's first wait: agents of a server that went
      // away come back spread over it, not all in the same instant. What the server asked counts once.
      Duration away = stayAway;
      stayAway = null;
      retryLater(answered ? null : cause, away);
      answered = false;
    }
  }

  @Override
  public void wake() {
    loop.execute(this::sendNews);
  }

  private void sendNews() {
    if (channel != null && !stopped && context.state().hasNews()) {
      send(context.state().next());
    }
  }

  private void send(AgentToServer message) {
    int size = message.getSerializedSize() + WebSocketMessageCodec.HEADER_SIZE;
    if (size > context.maxMessageBytes()) {
      log.warn("OpAMP {}: not sending a message of {} bytes, over the {} byte limit", context.endpoint(), size,
          context.maxMessageBytes());
      return;
    }
    lastSentNanos = System.nanoTime();
    channel.writeAndFlush(new BinaryWebSocketFrame(WebSocketMessageCodec.encode(message, channel.alloc())));
  }

  /** The next heartbeat is due one interval after the last message of any kind. */
  private void scheduleHeartbeat() {
    if (heartbeat != null) {
      heartbeat.cancel(false);
    }
    heartbeatScheduledFor = context.state().heartbeatInterval();
    if (channel == null || heartbeatScheduledFor.isZero()) {
      return;
    }
    long due = lastSentNanos + heartbeatScheduledFor.toNanos() - System.nanoTime();
    heartbeat = loop.schedule(this::heartbeatDue, Math.max(0, due), TimeUnit.NANOSECONDS);
  }

  private void heartbeatDue() {
    Duration interval = context.state().heartbeatInterval();
    if (channel != null && !interval.isZero() && System.nanoTime() - lastSentNanos >= interval.toNanos()) {
      send(context.state().next());
    }
    scheduleHeartbeat();
  }

  @Override
  public CompletableFuture<Void> stop() {
    loop.execute(() -> {
      stopped = true;
      cancelTimer();
      if (channel == null) {
        stoppedFuture.complete(null);
        return;
      }
      send(context.state().goodbye());
      channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
          .addListener(ChannelFutureListener.CLOSE);
    });
    return stoppedFuture;
  }
}

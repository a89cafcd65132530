package io.opampfleet.netty.client.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ServerToAgent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpAMP over plain HTTP: one POST in flight at a time on a kept-alive connection; the next poll at
 * once when there is news, otherwise after the polling interval (the heartbeat interval when the
 * server set one); Retry-After honoured on 429 and 503.
 */
public final class HttpTransport extends TransportBase {
  private static final Logger log = LoggerFactory.getLogger(HttpTransport.class);
  /** A poll the server leaves unanswered this long counts as failed, so polling goes on. */
  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);

  private final HttpPollResponses.Listener listener = new HttpPollResponses.Listener() {
    @Override
    public void answered(FullHttpResponse response) {
      HttpTransport.this.answered(response);
    }

    @Override
    public void failed(Throwable cause) {
      HttpTransport.this.failed(cause);
    }
  };

  private Channel channel;
  private boolean inFlight;
  private boolean connected;
  private AgentToServer goodbye;
  private boolean goodbyeSent;
  private io.netty.util.concurrent.ScheduledFuture<?> answerDeadline;
  private final CompletableFuture<Void> stoppedFuture = new CompletableFuture<>();

  public HttpTransport(ClientContext context) {
    super(context);
  }

  @Override
  protected void attempt() {
    if (!inFlight && (!stopped || goodbyeSent)) {
      AgentToServer message = goodbyeSent ? goodbye : context.state().next();
      // Made first: a request that cannot be made (its headers' supplier failed) is a failed attempt.
      FullHttpRequest request = request(message);
      inFlight = true;
      answerDeadline = loop.schedule(() -> {
        if (channel != null) {
          channel.close();
        }
        failed(new IOException("the OpAMP server did not answer within " + ANSWER_TIMEOUT.toSeconds() + " s"));
      }, ANSWER_TIMEOUT.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
      withChannel(ch -> ch.writeAndFlush(request).addListener((ChannelFutureListener) write -> {
        if (!write.isSuccess()) {
          failed(write.cause());
        }
      }));
    }
  }

  private void withChannel(java.util.function.Consumer<Channel> use) {
    if (channel != null && channel.isActive()) {
      use.accept(channel);
      return;
    }
    ChannelFuture connect = connect(() -> new ChannelHandler[] {new HttpClientCodec(),
        new HttpContentDecompressor(false, context.maxMessageBytes()), new HttpObjectAggregator(context.maxMessageBytes()),
        new HttpPollResponses(listener)});
    channel = connect.channel();
    connect.addListener((ChannelFutureListener) done -> {
      if (done.isSuccess()) {
        use.accept(done.channel());
      } else {
        failed(done.cause());
      }
    });
  }

  private FullHttpRequest request(AgentToServer message) {
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, context.pathAndQuery(),
        Unpooled.wrappedBuffer(message.toByteArray()));
    context.headers().get().forEach(request.headers()::set);
    request.headers()
        .set(HttpHeaderNames.HOST, context.hostHeader())
        .set(HttpHeaderNames.CONTENT_TYPE, "application/x-protobuf")
        .set(HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.GZIP)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE)
        .set(InstanceUid.HEADER, canonical(message));
    HttpUtil.setContentLength(request, request.content().readableBytes());
    return request;
  }

  private void answered(FullHttpResponse response) {
    if (!inFlight) {
      return;
    }
    inFlight = false;
    answerDeadline.cancel(false);
    HttpResponseStatus status = response.status();
    if (status.equals(HttpResponseStatus.OK)) {
      ServerToAgent message;
      try {
        message = ServerToAgent.parseFrom(response.content().nioBuffer());
      } catch (InvalidProtocolBufferException e) {
        inFlight = true;
        failed(e);
        return;
      }
      if (finishedGoodbye()) {
        return;
      }
      if (!connected) {
        connected = true;
        context.callbackExecutor().execute(context.callbacks()::onConnect);
      }
      Optional<Duration> away = ServerMessages.handle(context, message);
      if (away.isPresent()) {
        // An unavailable server is a failure: the waits grow, and what it asked is the least of them.
        retryLater(null, away.get());
      } else {
        // Polls keep their interval whatever the answer: only an unavailable server makes them wait longer.
        succeeded();
        nextPoll();
      }
    } else if (status.equals(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE)) {
      // The server will never take that message: do not send it again (spec: no retry after 413).
      log.warn("OpAMP {}: the server refused a message as too large", context.endpoint());
      if (!finishedGoodbye()) {
        nextPoll();
      }
    } else if (!finishedGoodbye()) {
      connected = false;
      Duration retryAfter = RetryAfter.parse(response.headers().get(HttpHeaderNames.RETRY_AFTER), Instant.now()).orElse(null);
      retryLater(new IOException("the OpAMP server answered HTTP " + status), retryAfter);
    }
  }

  private void failed(Throwable cause) {
    if (!inFlight) {
      return;
    }
    inFlight = false;
    answerDeadline.cancel(false);
    connected = false;
    if (!finishedGoodbye()) {
      retryLater(cause, null);
    }
  }

  private void nextPoll() {
    if (context.state().hasNews()) {
      schedule(Duration.ZERO);
    } else {
      Duration heartbeat = context.state().heartbeatInterval();
      schedule(heartbeat.isZero() ? context.pollingInterval() : heartbeat);
    }
  }

  @Override
  public void wake() {
    loop.execute(() -> {
      if (!stopped && !inFlight && waitingForTimer() && !backingOff()) {
        schedule(Duration.ZERO);
      }
    });
  }

  @Override
  public CompletableFuture<Void> stop() {
    loop.execute(() -> {
      stopped = true;
      cancelTimer();
      goodbye = context.state().goodbye();
      if (!inFlight) {
        sendGoodbye();
      }
    });
    return stoppedFuture;
  }

  private void sendGoodbye() {
    goodbyeSent = true;
    try {
      attempt();
    } catch (RuntimeException e) {
      // No goodbye can be made (its headers' supplier failed): stopped without it.
      log.debug("OpAMP {}: no goodbye sent ({})", context.endpoint(), e.toString());
      if (channel != null) {
        channel.close();
      }
      stoppedFuture.complete(null);
    }
  }

  /**
   * Once stopping: sends the goodbye after the poll in flight, and once the goodbye is answered
   * (or failed) closes the connection and reports stopped.
   */
  private boolean finishedGoodbye() {
    if (!stopped) {
      return false;
    }
    if (!goodbyeSent) {
      sendGoodbye();
    } else if (!stoppedFuture.isDone()) {
      if (channel != null) {
        channel.close();
      }
      stoppedFuture.complete(null);
    }
    return true;
  }

  private static String canonical(AgentToServer message) {
    if (message.getInstanceUid().size() != 16) {
      return "";
    }
    ByteBuffer bytes = message.getInstanceUid().asReadOnlyByteBuffer();
    return new UUID(bytes.getLong(), bytes.getLong()).toString();
  }
}

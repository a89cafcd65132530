package io.opampfleet.netty.client.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both transports share: one event loop that all of a client's work runs on (so its fields
 * need no locks), and retrying after failures with backoff, or after what the server asked.
 */
public abstract class TransportBase {
  private static final Logger log = LoggerFactory.getLogger(TransportBase.class);
  private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
  private static final Duration LONGEST_STAY_AWAY = Duration.ofHours(1);

  protected final ClientContext context;
  protected final EventLoop loop;
  protected boolean stopped;
  private int failures;
  private ScheduledFuture<?> timer;
  private boolean backingOff;
  private final AtomicBoolean started = new AtomicBoolean();

  protected TransportBase(ClientContext context) {
    this.context = context;
    this.loop = context.group().next();
  }

  /** Starts connecting (WebSocket) or polling (HTTP); once: a second call would open a second connection. */
  public final void start() {
    if (started.compareAndSet(false, true)) {
      loop.execute(this::attemptOrRetry);
    }
  }

  /** An attempt that throws (a header supplier's failure, say) is a failure like any other, not the end of retrying. */
  private void attemptOrRetry() {
    try {
      attempt();
    } catch (RuntimeException e) {
      retryLater(e, null);
    }
  }

  /** The state has news: send it as soon as the transport can. */
  public abstract void wake();

  /** Says goodbye with agent_disconnect, closes, and stops retrying. */
  public abstract CompletableFuture<Void> stop();

  /** One connection attempt (WebSocket) or poll (HTTP), on the event loop. */
  protected abstract void attempt();

  /**
   * Opens a connection to the server on this client's event loop: TLS first when the endpoint
   * needs it, then the handlers the transport makes for each new channel.
   */
  protected final ChannelFuture connect(Supplier<ChannelHandler[]> handlers) {
    long began = System.nanoTime();
    return new Bootstrap()
        .group(loop)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel channel) {
            if (context.tls() != null) {
              SslHandler tls = context.tls().newHandler(channel.alloc(), context.host(), context.port());
              tls.handshakeFuture().addListener(done -> {
                if (done.isSuccess()) {
                  Duration took = Duration.ofNanos(System.nanoTime() - began);
                  context.callbackExecutor().execute(() -> context.callbacks().onTlsHandshake(took));
                }
              });
              channel.pipeline().addLast(tls);
            }
            channel.pipeline().addLast(handlers.get());
          }
        })
        .connect(new InetSocketAddress(context.host(), context.port()),
            context.localAddress() == null ? null : new InetSocketAddress(context.localAddress(), 0));
  }

  protected final void succeeded() {
    failures = 0;
    backingOff = false;
  }

  /** Waiting out a failure or the server's Retry-After: news must not cut that short. */
  protected final boolean backingOff() {
    return backingOff;
  }

  /**
   * Tries again after the backoff for one more failure, and never sooner than {@code atLeast} (what the
   * server asked, up to {@link #LONGEST_STAY_AWAY}: a server's Retry-After of years is a mistake, not a
   * reason to go silent).
   */
  protected final void retryLater(Throwable cause, Duration atLeast) {
    failures++;
    context.state().requestFullState();
    context.state().unanswered();
    Duration delay = context.backoff().delay(failures);
    if (atLeast != null) {
      Duration asked = atLeast.compareTo(LONGEST_STAY_AWAY) > 0 ? LONGEST_STAY_AWAY : atLeast;
      delay = asked.compareTo(delay) > 0 ? asked : delay;
    }
    backingOff = true;
    schedule(delay);
    if (cause != null) {
      log.debug("OpAMP {} failed ({}), retrying in {} ms", context.endpoint(), cause.toString(), delay.toMillis());
      context.callbackExecutor().execute(() -> context.callbacks().onConnectFailed(cause));
    }
  }

  /** Runs the next attempt after {@code delay}, replacing any attempt already scheduled. */
  protected final void schedule(Duration delay) {
    cancelTimer();
    if (!stopped) {
      timer = loop.schedule(this::attemptOrRetry, delay.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  protected final boolean waitingForTimer() {
    return timer != null && !timer.isDone();
  }

  protected final void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}

package io.opampfleet.netty.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.opampfleet.netty.server.internal.MessageDispatcher;
import io.opampfleet.netty.server.internal.ServerContext;
import io.opampfleet.netty.server.internal.ServerPipeline;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpAMP server endpoint: one port and path that take both a WebSocket upgrade and HTTP POST,
 * plain, TLS or mutual TLS, handing agents' messages to {@link ServerCallbacks}.
 *
 * <pre>{@code
 * try (OpampServer server = OpampServer.builder()
 *     .bind(new InetSocketAddress("127.0.0.1", 4320))
 *     .callbacks(myCallbacks)
 *     .start()) { ... }
 * }</pre>
 */
public final class OpampServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OpampServer.class);
  public static final String DEFAULT_PATH = "/v1/opamp";
  public static final int DEFAULT_PORT = 4320;

  private final Channel channel;
  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final ServerContext context;
  private final Future<?> httpExpiry;

  private OpampServer(Channel channel, EventLoopGroup group, boolean ownsGroup, ServerContext context,
      Future<?> httpExpiry) {
    this.channel = channel;
    this.group = group;
    this.ownsGroup = ownsGroup;
    this.context = context;
    this.httpExpiry = httpExpiry;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The address the server listens on, with the port it got when bound to port 0. */
  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** Open TCP connections, whatever their transport. */
  public int openConnections() {
    return context.counter().open();
  }

  /** Bytes of agents' messages held now, from their first byte read to their reply (within the budget). */
  public long bytesInHand() {
    return context.bytesInHand();
  }

  /** Agents polling over HTTP that the server currently holds a connection handle for. */
  public int httpAgents() {
    return context.httpAgentCount();
  }

  @Override
  public void close() {
    httpExpiry.cancel(false);
    channel.close().syncUninterruptibly();
    context.connections().close().awaitUninterruptibly();
    if (ownsGroup) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /**
   * A periodic task that throws is cancelled for good, and silent agents would stay connected: a failure,
   * an error such as running out of memory included, is logged and the next run goes on.
   */
  private static void expireQuietly(ServerContext context, ServerLimits limits) {
    try {
      context.httpAgents().expire(limits.idleTimeout());
    } catch (RuntimeException | Error e) {
      log.warn("forgetting silent HTTP agents failed; trying again at the next round: {}", e.toString());
    }
  }

  public static final class Builder {
    private InetSocketAddress address = new InetSocketAddress("127.0.0.1", DEFAULT_PORT);
    private ServerSocketChannel listening;
    private String path = DEFAULT_PATH;
    private SslContext tls;
    private ServerCallbacks callbacks = new ServerCallbacks() {};
    private Executor callbackExecutor = Runnable::run;
    private ServerLimits limits = ServerLimits.defaults();
    private Balancers balancers = Balancers.none();
    private EventLoopGroup group;
    /** Netty's default when 0. */
    private int threads;
    private final Map<String, HttpEndpoint> endpoints = new HashMap<>();

    private Builder() {}

    /** Serves another path on this listener (for example OTLP at {@code /v1/metrics}). */
    public Builder endpoint(String path, HttpEndpoint endpoint) {
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("an endpoint's path must start with '/', not '" + path + "'");
      }
      endpoints.put(path, Objects.requireNonNull(endpoint));
      return this;
    }

    public Builder bind(InetSocketAddress address) {
      this.address = Objects.requireNonNull(address);
      return this;
    }

    /**
     * Serves on a socket already listening, in place of {@link #bind}: one opened before the server, so
     * that a client started meanwhile waits in its accept queue rather than being refused. The server
     * closes it.
     */
    public Builder listening(ServerSocketChannel socket) {
      this.listening = Objects.requireNonNull(socket);
      return this;
    }

    public Builder path(String path) {
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("the OpAMP path must start with '/', not '" + path + "'");
      }
      this.path = path;
      return this;
    }

    /** TLS, or mutual TLS when the context requires client certificates (see the certs module). */
    public Builder tls(SslContext tls) {
      if (!tls.isServer()) {
        throw new IllegalArgumentException("the OpAMP server needs a server SslContext");
      }
      this.tls = tls;
      return this;
    }

    public Builder callbacks(ServerCallbacks callbacks) {
      this.callbacks = Objects.requireNonNull(callbacks);
      return this;
    }

    /** Runs the callbacks off the event loops; without one they run on them and must not block. */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = Objects.requireNonNull(executor);
      return this;
    }

    public Builder limits(ServerLimits limits) {
      this.limits = Objects.requireNonNull(limits);
      return this;
    }

    /** The balancers in front of the listener: their PROXY headers and forwarded certificates are taken. */
    public Builder balancers(Balancers balancers) {
      this.balancers = Objects.requireNonNull(balancers);
      return this;
    }

    /** Shares an event loop group (for example with clients in one JVM); the server will not shut it down. */
    public Builder eventLoopGroup(EventLoopGroup group) {
      this.group = Objects.requireNonNull(group);
      return this;
    }

    /**
     * The number of event loops of the server's own group (without {@link #eventLoopGroup}); Netty's
     * default is twice the cores, each a thread once it gets its first connection, which a server of
     * one local collector never needs.
     */
    public Builder eventLoops(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("a server needs at least one event loop, not " + threads);
      }
      this.threads = threads;
      return this;
    }

    /** Binds and returns the running server. */
    public OpampServer start() {
      boolean ownsGroup = group == null;
      EventLoopGroup loops = ownsGroup ? new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory()) : group;
      ServerContext context = ServerContext.create(path, limits, balancers,
          new MessageDispatcher(callbacks, callbackExecutor, limits.maxMessageBytes()), endpoints);
      try {
        ServerBootstrap bootstrap = new ServerBootstrap()
            .group(loops)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new ServerPipeline(context, tls));
        // A socket listening already is only registered: it accepts once its event loop runs.
        Channel channel = listening != null
            ? bootstrap.channelFactory(() -> new NioServerSocketChannel(listening)).register()
                .syncUninterruptibly().channel()
            : bootstrap.channel(NioServerSocketChannel.class).option(ChannelOption.SO_BACKLOG, 4096)
                .bind(address).syncUninterruptibly().channel();
        // HTTP agents have no socket to watch: one that stops polling is forgotten instead.
        Future<?> httpExpiry = limits.idleTimeout().isZero() ? CompletableFuture.completedFuture(null)
            : loops.next().scheduleAtFixedRate(() -> expireQuietly(context, limits),
                Math.max(1, limits.idleTimeout().toMillis() / 4), Math.max(1, limits.idleTimeout().toMillis() / 4),
                TimeUnit.MILLISECONDS);
        return new OpampServer(channel, loops, ownsGroup, context, httpExpiry);
      } catch (Exception e) {
        // Checked ones too (a port taken meanwhile): Netty's sync rethrows them unchecked.
        String where = listening != null ? localAddress(listening) : address.toString();
        if (ownsGroup) {
          loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        closeQuietly(listening);
        throw new IllegalStateException("cannot listen for OpAMP on " + where + ": " + e.getMessage(), e);
      }
    }

    private static String localAddress(ServerSocketChannel socket) {
      try {
        return String.valueOf(socket.getLocalAddress());
      } catch (IOException e) {
        return "a socket of its own";
      }
    }

    private static void closeQuietly(ServerSocketChannel socket) {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException e) {
          // Nothing listens on it either way.
        }
      }
    }
  }
}

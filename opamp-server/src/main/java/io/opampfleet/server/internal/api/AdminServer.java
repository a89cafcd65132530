package io.opampfleet.server.internal.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.opampfleet.netty.guard.ConnectionCounter;
import io.opampfleet.netty.guard.IdleCloser;
import io.opampfleet.netty.guard.RequestDeadline;
import io.opampfleet.server.settings.ServerSettings.Limits;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The admin listener: HTTP/1.1 (over TLS when configured) into {@link AdminApi}, defending itself:
 * connections capped in all and per client address (refused at once beyond), a deadline for each
 * whole request, an idle timeout, bounded request lines, headers and bodies, and a small send
 * buffer, so a client that does not read stops getting data instead of growing the queue.
 */
public final class AdminServer implements AutoCloseable {
  /** An answer's bytes may wait in the send queue up to this much before the connection counts as not writable. */
  private static final WriteBufferWaterMark SEND_QUEUE = new WriteBufferWaterMark(32 * 1024, 64 * 1024);
  static final int MAX_REQUEST_LINE = 4096;
  static final int MAX_HEADERS = 8192;

  private final Channel channel;
  private final ChannelGroup connections;

  private AdminServer(Channel channel, ChannelGroup connections) {
    this.channel = channel;
    this.connections = connections;
  }

  public static AdminServer start(InetSocketAddress address, SslContext tls, Limits limits, AdminApi api,
      EventLoopGroup group, Executor executor) {
    ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    ConnectionCounter counter = new ConnectionCounter(limits.maxConnections(), limits.maxConnectionsPerAddress());
    EventStreams streams = new EventStreams(limits.maxEventStreams());
    UploadSlot uploads = new UploadSlot();
    try {
      Channel channel = new ServerBootstrap()
          .group(group)
          .channel(NioServerSocketChannel.class)
          .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, SEND_QUEUE)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              connections.add(ch);
              ChannelPipeline pipeline = ch.pipeline();
              pipeline.addLast("count", counter);
              if (tls != null) {
                pipeline.addLast("tls", tls.newHandler(ch.alloc()));
              }
              pipeline.addLast("refuse", OverLimitRefusal.INSTANCE);
              // Idle means nothing read and nothing of what was written taken by the client.
              pipeline.addLast("idle", new IdleStateHandler(true, 0, 0, limits.idleTimeout().toNanos(),
                  TimeUnit.NANOSECONDS));
              pipeline.addLast("close-idle", IdleCloser.INSTANCE);
              pipeline.addLast("http", new HttpServerCodec(MAX_REQUEST_LINE, MAX_HEADERS, 8192));
              pipeline.addLast("deadline", new RequestDeadline(limits.requestTimeout(), limits.idleTimeout()));
              pipeline.addLast("limit", new BodyLimit(api::knowsCaller, api::admitsLargeBody, limits.maxBytes(),
                  limits.maxPackageBytes(), uploads));
              // A request expecting what HTTP/1.1 does not define is answered 417 and its connection closed:
              // left open, it would keep the upload slot its headers took until the client went.
              pipeline.addLast("aggregate",
                  new HttpObjectAggregator(Math.max(limits.maxBytes(), limits.maxPackageBytes()), true));
              // Requests a client sends ahead wait here, whole, while one is being answered.
              pipeline.addLast("one-at-a-time", new FlowControlHandler());
              pipeline.addLast("chunked", new ChunkedWriteHandler());
              pipeline.addLast("api", new AdminHandler(api, executor, streams));
            }
          })
          .bind(address).syncUninterruptibly().channel();
      return new AdminServer(channel, connections);
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot listen for the admin API on " + address + ": " + e.getMessage(), e);
    }
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** Stops listening and closes the open connections, keep-alive and event streams included. */
  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    connections.close().awaitUninterruptibly();
  }
}

package io.opampfleet.server.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;

/** The admin listener: HTTP/1.1 (over TLS when configured) into {@link AdminApi}. */
public final class AdminServer implements AutoCloseable {
  private final Channel channel;
  private final ChannelGroup connections;

  private AdminServer(Channel channel, ChannelGroup connections) {
    this.channel = channel;
    this.connections = connections;
  }

  public static AdminServer start(InetSocketAddress address, SslContext tls, AdminApi api, EventLoopGroup group,
      Executor executor) {
    ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    try {
      Channel channel = new ServerBootstrap()
          .group(group)
          .channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              connections.add(ch);
              ChannelPipeline pipeline = ch.pipeline();
              if (tls != null) {
                pipeline.addLast("tls", tls.newHandler(ch.alloc()));
              }
              pipeline.addLast("http", new HttpServerCodec());
              pipeline.addLast("limit", new BodyLimit(api::admitsLargeBody));
              pipeline.addLast("aggregate", new HttpObjectAggregator(BodyLimit.LARGE));
              pipeline.addLast("chunked", new ChunkedWriteHandler());
              pipeline.addLast("api", new AdminHandler(api, executor));
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

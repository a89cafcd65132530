package io.opampfleet.certs.tls;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;

/** A real TLS handshake over loopback between two Netty endpoints, and what each side saw. */
final class LoopbackTls implements AutoCloseable {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());

  /** How one handshake ended on each side: the peer certificate each saw, or the failure. */
  record Outcome(CompletableFuture<X509Certificate> server, CompletableFuture<X509Certificate> client) {
    X509Certificate serverSawClient() throws Exception {
      return server.get(10, TimeUnit.SECONDS);
    }

    X509Certificate clientSawServer() throws Exception {
      return client.get(10, TimeUnit.SECONDS);
    }
  }

  /** Connects a client to {@code host} at a server on 127.0.0.1 and waits for both ends' handshakes. */
  Outcome handshake(SslContext serverContext, SslContext clientContext, String host) throws Exception {
    CompletableFuture<X509Certificate> serverSide = new CompletableFuture<>();
    CompletableFuture<X509Certificate> clientSide = new CompletableFuture<>();
    Channel server = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            SslHandler tls = serverContext.newHandler(channel.alloc());
            channel.pipeline().addLast(tls, new CloseOnFailure());
            completeOnHandshake(tls, serverSide);
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
    try {
      int port = ((InetSocketAddress) server.localAddress()).getPort();
      Channel client = new Bootstrap()
          .group(group)
          .channel(NioSocketChannel.class)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel channel) {
              SslHandler tls = clientContext.newHandler(channel.alloc(), host, port);
              channel.pipeline().addLast(tls, new CloseOnFailure());
              completeOnHandshake(tls, clientSide);
            }
          })
          .connect("127.0.0.1", port).sync().channel();
      // With TLS 1.3 the client finishes first and learns of a refused certificate only when the
      // server's alert arrives; waiting for the server's outcome, then the channel, settles both.
      serverSide.handle((ok, failure) -> null).get(10, TimeUnit.SECONDS);
      clientSide.handle((ok, failure) -> null).get(10, TimeUnit.SECONDS);
      client.close().sync();
      return new Outcome(serverSide, clientSide);
    } finally {
      server.close().sync();
    }
  }

  /** A refused handshake is what these tests expect: it closes the channel, quietly. */
  private static final class CloseOnFailure extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private static void completeOnHandshake(SslHandler tls, CompletableFuture<X509Certificate> outcome) {
    tls.handshakeFuture().addListener(done -> {
      if (!done.isSuccess()) {
        outcome.completeExceptionally(done.cause());
        return;
      }
      try {
        outcome.complete((X509Certificate) tls.engine().getSession().getPeerCertificates()[0]);
      } catch (SSLPeerUnverifiedException e) {
        outcome.complete(null);
      }
    });
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}

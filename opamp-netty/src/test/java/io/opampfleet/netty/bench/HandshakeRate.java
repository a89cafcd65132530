package io.opampfleet.netty.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Full mutual TLS handshakes per second against a server, a few in flight at a time. Each handshake
 * names another peer port, which keys the client's session cache apart: no session is resumed, as
 * with s_time -new, and the host name is still verified.
 */
final class HandshakeRate {
  /** Cache keys are never used twice in one JVM, across measurements too. */
  private static final AtomicInteger NEXT_CACHE_KEY = new AtomicInteger();

  private HandshakeRate() {}

  static double measure(EventLoopGroup group, SslContext tls, int port, Duration duration, int inFlight)
      throws InterruptedException {
    Semaphore window = new Semaphore(inFlight);
    AtomicInteger done = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    long deadline = System.nanoTime() + duration.toNanos();
    long started = System.nanoTime();
    while (System.nanoTime() < deadline) {
      int cacheKeyPort = 1 + NEXT_CACHE_KEY.getAndIncrement() % 65_000;
      window.acquire();
      new Bootstrap().group(group).channel(NioSocketChannel.class)
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              SslHandler handler = tls.newHandler(ch.alloc(), "localhost", cacheKeyPort);
              ch.pipeline().addLast(handler);
              handler.handshakeFuture().addListener(handshake -> {
                (handshake.isSuccess() ? done : failed).incrementAndGet();
                ch.close();
                window.release();
              });
            }
          })
          .connect("127.0.0.1", port)
          .addListener(connect -> {
            if (!connect.isSuccess()) {
              failed.incrementAndGet();
              window.release();
            }
          });
    }
    window.acquire(inFlight);
    double seconds = (System.nanoTime() - started) / 1e9;
    if (failed.get() > 0) {
      System.out.printf("  (%d handshakes failed)%n", failed.get());
    }
    return done.get() / seconds;
  }

  /** OpenSSL's own figure: s_time making new connections one after another to s_server. */
  static double openssl(java.nio.file.Path pki, Duration duration) throws Exception {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Process server = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port,
        "-cert", pki.resolve("server.crt").toString(), "-key", pki.resolve("server.key").toString(),
        "-CAfile", pki.resolve("ca.crt").toString(), "-Verify", "1", "-tls1_3", "-quiet")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      Thread.sleep(500);
      Process client = new ProcessBuilder("openssl", "s_time", "-connect", "127.0.0.1:" + port, "-new",
          "-time", Long.toString(duration.toSeconds()), "-tls1_3",
          "-cert", pki.resolve("client.crt").toString(), "-key", pki.resolve("client.key").toString(),
          "-CAfile", pki.resolve("ca.crt").toString())
          .redirectErrorStream(true).start();
      String output = new String(client.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      client.waitFor(duration.toSeconds() + 30, TimeUnit.SECONDS);
      java.util.regex.Matcher figures = java.util.regex.Pattern
          .compile("(\\d+) connections in (\\d+) real seconds").matcher(output);
      if (!figures.find()) {
        throw new IllegalStateException("s_time printed no figures: " + output);
      }
      return Double.parseDouble(figures.group(1)) / Double.parseDouble(figures.group(2));
    } finally {
      server.destroy();
      server.waitFor(5, TimeUnit.SECONDS);
    }
  }
}

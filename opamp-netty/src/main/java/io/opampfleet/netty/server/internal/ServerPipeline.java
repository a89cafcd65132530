package io.opampfleet.netty.server.internal;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.opampfleet.netty.guard.IdleCloser;
import io.opampfleet.netty.guard.RequestDeadline;
import java.util.concurrent.TimeUnit;

/**
 * One connection's pipeline, in the order bytes meet it: a balancer's PROXY header, TLS, the connection count, the idle
 * timeout, HTTP, the request deadline, gzip both ways with bodies bounded after inflation, the server-wide budget of
 * bytes in hand, whole messages handed on one per read (so messages a client sends ahead wait
 * while reading is off), then the router that picks WebSocket or plain HTTP.
 */
public final class ServerPipeline extends ChannelInitializer<Channel> {
  static final String DECOMPRESSOR = "gunzip";
  static final String ONE_AT_A_TIME = "one-at-a-time";

  private final ServerContext context;
  private final SslContext tls;

  /** {@code tls} may be null for plain connections. */
  public ServerPipeline(ServerContext context, SslContext tls) {
    this.context = context;
    this.tls = tls;
  }

  @Override
  protected void initChannel(Channel channel) {
    context.connections().add(channel);
    ChannelPipeline pipeline = channel.pipeline();
    if (!context.balancers().addresses().isEmpty()) {
      pipeline.addLast(new BalancerFront(context.balancers(), context.counter()));
    }
    if (tls != null) {
      pipeline.addLast(tls.newHandler(channel.alloc()));
    }
    int maxBytes = context.limits().maxMessageBytes();
    pipeline.addLast(context.counter());
    long idle = context.limits().idleTimeout().toNanos();
    if (idle > 0) {
      // From the first byte on: a connection on which nothing arrives for this long is closed,
      // whatever state its requests are in.
      pipeline.addLast(new IdleStateHandler(idle, 0, 0, TimeUnit.NANOSECONDS), IdleCloser.INSTANCE);
    }
    pipeline.addLast(new HttpServerCodec());
    pipeline.addLast(new RequestDeadline(context.limits().requestTimeout(), context.limits().idleTimeout()));
    pipeline.addLast(new HttpContentCompressor());
    // Inflation stops at the message limit, so a small gzip bomb cannot take the heap.
    pipeline.addLast(DECOMPRESSOR, new HttpContentDecompressor(false, maxBytes));
    // Stays after a WebSocket upgrade, where it sees the frames.
    pipeline.addLast(new BudgetedReads(context.budget(), context.limits().retryAfter()));
    pipeline.addLast(new HttpObjectAggregator(maxBytes));
    pipeline.addLast(ONE_AT_A_TIME, new FlowControlHandler());
    pipeline.addLast(new OpampRequestRouter(context));
    pipeline.addLast(new HttpExchangeHandler(context));
  }
}

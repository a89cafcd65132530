package io.opampfleet.netty.client.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import java.io.IOException;

/**
 * The client's end of an HTTP connection to the server: hands each whole (decompressed, bounded)
 * response to its listener, and any failure, closing the connection after it.
 */
final class HttpPollResponses extends SimpleChannelInboundHandler<FullHttpResponse> {
  interface Listener {
    void answered(FullHttpResponse response);

    void failed(Throwable cause);
  }

  private final Listener listener;

  HttpPollResponses(Listener listener) {
    this.listener = listener;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
    listener.answered(response);
    if (!HttpUtil.isKeepAlive(response)) {
      ctx.close();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
    listener.failed(cause);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    listener.failed(new IOException("the server closed the connection"));
    ctx.fireChannelInactive();
  }
}

package io.opampfleet.netty.server.internal;

import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;

/**
 * Takes each incoming message's bytes (HTTP body parts after inflation, WebSocket frames) from the
 * server's {@link MessageBudget} as they arrive, and gives them back once the connection writes its
 * reply or closes. A message the budget cannot hold is refused: HTTP 503 with Retry-After, or the
 * WebSocket closed with 1013 (try again later).
 */
final class BudgetedReads extends ChannelDuplexHandler {
  private final MessageBudget budget;
  private final Duration retryAfter;
  private long held;
  private boolean refused;

  BudgetedReads(MessageBudget budget, Duration retryAfter) {
    this.budget = budget;
    this.retryAfter = retryAfter;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof ByteBufHolder holder) {
      int bytes = holder.content().readableBytes();
      if (!budget.tryTake(bytes)) {
        ReferenceCountUtil.release(msg);
        refuse(ctx, msg instanceof WebSocketFrame);
        return;
      }
      held += bytes;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse || msg instanceof WebSocketFrame) {
      giveBack();
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    giveBack();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    giveBack();
  }

  private void giveBack() {
    budget.giveBack(held);
    held = 0;
  }

  private void refuse(ChannelHandlerContext ctx, boolean webSocket) {
    refused = true;
    giveBack();
    if (webSocket) {
      ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.TRY_AGAIN_LATER))
          .addListener(ChannelFutureListener.CLOSE);
    } else {
      HttpResponses.refuse(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, retryAfter,
          "the server is reading as many messages as it can hold; retry later");
    }
  }
}

package io.opampfleet.netty.server.internal;

import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * Takes each incoming message's bytes (HTTP body parts after inflation, WebSocket data frames) from
 * the server's {@link MessageBudget} as they arrive, and gives each message's back once it is
 * answered: an HTTP request when a final response is written (HTTP answers in order), a WebSocket
 * message when {@link #answered} says so (the server also sends unasked). Messages a client sent
 * ahead stay counted while they wait their turn. Control frames are not counted: the codec caps them
 * at 125 bytes and they are answered or dropped at once. A message the budget cannot hold is
 * refused: HTTP 503 with Retry-After, or the WebSocket closed with 1013 (try again later).
 */
final class BudgetedReads extends ChannelDuplexHandler {
  private final MessageBudget budget;
  private final Duration retryAfter;
  /** Bytes of each message read whole and not yet answered, oldest first. */
  private final ArrayDeque<Long> unanswered = new ArrayDeque<>();
  /** Bytes so far of the message being read. */
  private long reading;
  /** The message being read was answered before its end (a refusal); its bytes go back at its end. */
  private boolean readingAnswered;
  private boolean refused;

  BudgetedReads(MessageBudget budget, Duration retryAfter) {
    this.budget = budget;
    this.retryAfter = retryAfter;
  }

  /** Gives back the bytes of the oldest unanswered WebSocket message. On the event loop. */
  static void answered(ChannelPipeline pipeline) {
    BudgetedReads reads = pipeline.get(BudgetedReads.class);
    if (reads != null) {
      reads.answerOldest();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (isData(msg)) {
      int bytes = ((ByteBufHolder) msg).content().readableBytes();
      if (!budget.tryTake(bytes)) {
        ReferenceCountUtil.release(msg);
        refuse(ctx, msg instanceof WebSocketFrame);
        return;
      }
      reading += bytes;
      if (endsMessage(msg)) {
        messageRead();
      }
    }
    ctx.fireChannelRead(msg);
  }

  private static boolean isData(Object msg) {
    return msg instanceof HttpContent || msg instanceof BinaryWebSocketFrame
        || msg instanceof TextWebSocketFrame || msg instanceof ContinuationWebSocketFrame;
  }

  private static boolean endsMessage(Object msg) {
    return msg instanceof LastHttpContent || msg instanceof WebSocketFrame frame && frame.isFinalFragment();
  }

  private void messageRead() {
    if (readingAnswered) {
      budget.giveBack(reading);
    } else {
      unanswered.add(reading);
    }
    reading = 0;
    readingAnswered = false;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse response && isFinal(response.status())) {
      answerOldest();
    }
    ctx.write(msg, promise);
  }

  /** 100 Continue is not an answer; 101 Switching Protocols answers the upgrade request. */
  private static boolean isFinal(HttpResponseStatus status) {
    return status.code() >= 200 || status.equals(HttpResponseStatus.SWITCHING_PROTOCOLS);
  }

  private void answerOldest() {
    Long oldest = unanswered.poll();
    if (oldest != null) {
      budget.giveBack(oldest);
    } else if (!readingAnswered) {
      budget.giveBack(reading);
      reading = 0;
      readingAnswered = true;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    giveBackAll();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    giveBackAll();
  }

  private void giveBackAll() {
    for (Long bytes = unanswered.poll(); bytes != null; bytes = unanswered.poll()) {
      budget.giveBack(bytes);
    }
    budget.giveBack(reading);
    reading = 0;
  }

  private void refuse(ChannelHandlerContext ctx, boolean webSocket) {
    refused = true;
    giveBackAll();
    if (webSocket) {
      ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.TRY_AGAIN_LATER))
          .addListener(ChannelFutureListener.CLOSE);
    } else {
      HttpResponses.refuse(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, retryAfter,
          "the server is reading as many messages as it can hold; retry later");
    }
  }
}

package io.opampfleet.netty.server.internal;

import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
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
 * answered: an HTTP request when a final response is written (HTTP answers in order; a refusal
 * written before the body is read answers it too, and the rest of it is not held), a WebSocket
 * message when {@link #answered} says so (the server also sends unasked). Messages a client sent
 * ahead stay counted while they wait their turn. Control frames are not counted: the codec caps them
 * at 125 bytes and they are answered or dropped at once. A message the budget cannot hold is
 * refused: HTTP 503 with Retry-After, or the WebSocket closed with 1013 (try again later).
 */
final class BudgetedReads extends ChannelDuplexHandler {
  private final MessageBudget budget;
  private final Duration retryAfter;
  /** The bytes held for each message begun and not yet answered, oldest first. */
  private final ArrayDeque<long[]> unanswered = new ArrayDeque<>();
  /** The message being read; null before the first. */
  private long[] reading;
  /** The message being read was answered before its end (a refusal): the rest of it is not held. */
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

  /**
   * The connection is being closed for what it sent: everything held is given back, and nothing
   * more it sends is read into memory. On the event loop.
   */
  static void closing(ChannelPipeline pipeline) {
    BudgetedReads reads = pipeline.get(BudgetedReads.class);
    if (reads != null) {
      reads.refused = true;
      reads.giveBackAll();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (beginsMessage(msg)) {
      reading = new long[1];
      readingAnswered = false;
      unanswered.add(reading);
    }
    if (isData(msg) && !readingAnswered && reading != null) {
      int bytes = ((ByteBufHolder) msg).content().readableBytes();
      if (!budget.tryTake(bytes)) {
        ReferenceCountUtil.release(msg);
        refuse(ctx, msg instanceof WebSocketFrame);
        return;
      }
      reading[0] += bytes;
    }
    ctx.fireChannelRead(msg);
  }

  /** An HTTP request's head, or a WebSocket data message's first frame. */
  private static boolean beginsMessage(Object msg) {
    return msg instanceof HttpRequest || msg instanceof BinaryWebSocketFrame || msg instanceof TextWebSocketFrame;
  }

  private static boolean isData(Object msg) {
    return msg instanceof HttpContent || msg instanceof BinaryWebSocketFrame
        || msg instanceof TextWebSocketFrame || msg instanceof ContinuationWebSocketFrame;
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
    long[] oldest = unanswered.poll();
    if (oldest == null) {
      return;
    }
    budget.giveBack(oldest[0]);
    oldest[0] = 0;
    if (oldest == reading) {
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
    for (long[] message = unanswered.poll(); message != null; message = unanswered.poll()) {
      budget.giveBack(message[0]);
      message[0] = 0;
    }
    readingAnswered = true;
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

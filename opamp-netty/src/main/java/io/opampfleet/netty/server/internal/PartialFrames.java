package io.opampfleet.netty.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The bytes of a WebSocket frame not yet whole. Netty's frame decoder keeps a frame until its last
 * byte is in (up to the message limit), and {@link BudgetedReads}, after it, sees only whole frames:
 * a client that announced a large frame and trickled it would hold that much of the heap, unseen,
 * for as long as it kept the idle timeout away. Here those bytes are taken from the server's budget
 * as they arrive and given back when their frame comes out of the decoder, and a frame must be
 * whole within the request timeout of its first byte. Two handlers share the count: one before the
 * decoder (the bytes in), one after it (the frames out). Both on the connection's event loop.
 */
final class PartialFrames {
  private final MessageBudget budget;
  private final long timeoutNanos;
  /** Bytes read and not yet out of the decoder in a frame. */
  private long held;
  /** When the frame the held bytes begin started to arrive. */
  private long startedAt;
  private ScheduledFuture<?> deadline;
  private boolean closing;

  private PartialFrames(MessageBudget budget, Duration timeout) {
    this.budget = budget;
    this.timeoutNanos = timeout.toNanos();
  }

  /** Puts the two handlers around the WebSocket frame decoder the handshake added. */
  static void guard(ChannelPipeline pipeline, MessageBudget budget, Duration timeout) {
    String decoder = pipeline.context(WebSocketFrameDecoder.class).name();
    PartialFrames frames = new PartialFrames(budget, timeout);
    pipeline.addBefore(decoder, null, frames.new BytesIn());
    pipeline.addAfter(decoder, null, frames.new FramesOut());
  }

  private final class BytesIn extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf bytes)) {
        ctx.fireChannelRead(msg);
        return;
      }
      int size = bytes.readableBytes();
      if (closing) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (!budget.tryTake(size)) {
        ReferenceCountUtil.release(msg);
        close(ctx, WebSocketCloseStatus.TRY_AGAIN_LATER);
        return;
      }
      if (held == 0) {
        begin(ctx);
      }
      held += size;
      ctx.fireChannelRead(msg);
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
  }

  private final class FramesOut extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof WebSocketFrame frame) {
        long out = Math.min(held, wireSize(frame.content().readableBytes()));
        budget.giveBack(out);
        held -= out;
        if (held == 0) {
          stopClock();
        } else {
          // What is left begins the next frame.
          startedAt = System.nanoTime();
        }
      }
      ctx.fireChannelRead(msg);
    }
  }

  /** A client's frame on the wire: two bytes, the extended length, the mask, the payload (RFC 6455, 5.2). */
  private static long wireSize(int payload) {
    int length = payload <= 125 ? 0 : payload <= 0xFFFF ? 2 : 8;
    return 2 + length + 4 + payload;
  }

  private void begin(ChannelHandlerContext ctx) {
    startedAt = System.nanoTime();
    if (deadline == null) {
      schedule(ctx, timeoutNanos);
    }
  }

  private void schedule(ChannelHandlerContext ctx, long delayNanos) {
    deadline = ctx.executor().schedule(() -> check(ctx), delayNanos, TimeUnit.NANOSECONDS);
  }

  private void check(ChannelHandlerContext ctx) {
    deadline = null;
    if (held == 0 || closing) {
      return;
    }
    long left = startedAt + timeoutNanos - System.nanoTime();
    if (left > 0) {
      schedule(ctx, left);
    } else {
      close(ctx, WebSocketCloseStatus.POLICY_VIOLATION);
    }
  }

  private void stopClock() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }

  private void close(ChannelHandlerContext ctx, WebSocketCloseStatus status) {
    closing = true;
    giveBackAll();
    BudgetedReads.closing(ctx.pipeline());
    ctx.channel().writeAndFlush(new CloseWebSocketFrame(status)).addListener(ChannelFutureListener.CLOSE);
  }

  private void giveBackAll() {
    budget.giveBack(held);
    held = 0;
    stopClock();
  }
}

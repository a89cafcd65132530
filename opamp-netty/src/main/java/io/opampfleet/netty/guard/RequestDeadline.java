package io.opampfleet.netty.guard;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that has not delivered a whole request in time, however slowly it trickles
 * bytes. The first request's clock starts when the connection opens; a later request's when the
 * previous response has been written, and since a kept-alive client may first wait, it has the
 * idle timeout more (the codec hides when its first byte comes). The clock stops when the request's
 * last byte is in. Goes after the HTTP codec.
 */
public final class RequestDeadline extends ChannelDuplexHandler {
  private final Duration timeout;
  private final Duration laterTimeout;
  private ScheduledFuture<?> deadline;

  /** {@code idleTimeout} zero means a kept-alive connection may wait for ever, so later requests have no deadline. */
  public RequestDeadline(Duration timeout, Duration idleTimeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("a request deadline must be positive, not " + timeout);
    }
    this.timeout = timeout;
    this.laterTimeout = idleTimeout.isZero() ? Duration.ZERO : timeout.plus(idleTimeout);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      arm(ctx, timeout);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    arm(ctx, timeout);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof LastHttpContent) {
      disarm();
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof LastHttpContent) {
      promise = promise.unvoid();
      promise.addListener(written -> {
        if (written.isSuccess() && !ctx.isRemoved() && ctx.channel().isActive() && !laterTimeout.isZero()) {
          arm(ctx, laterTimeout);
        }
      });
    }
    ctx.write(msg, promise);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    disarm();
  }

  private void arm(ChannelHandlerContext ctx, Duration within) {
    disarm();
    deadline = ctx.executor().schedule(() -> {
      ctx.close();
    }, within.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void disarm() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }
}

package io.opampfleet.server.internal.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes a server-sent event stream: one event per interval until the stream ends or the client
 * goes. An event that would queue behind data the client has not taken is skipped (the next one
 * carries the state anew), so a client that does not read holds no more than the connection's send
 * queue; one that takes nothing for the idle timeout is closed by the listener.
 */
final class EventStreamWriter {
  private EventStreamWriter() {}

  /** Starts the stream on the connection; {@code work} computes each event off the event loop. */
  static void start(ChannelHandlerContext ctx, EventStream stream, Executor work) {
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
    head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    ctx.writeAndFlush(head);
    ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
    // One event in the making at a time: a slow store skips ticks rather than piling them up.
    AtomicBoolean making = new AtomicBoolean();
    task[0] = ctx.executor().scheduleAtFixedRate(() -> {
      if (!ctx.channel().isWritable() || !making.compareAndSet(false, true)) {
        return;
      }
      try {
        work.execute(() -> {
          Object next;
          try {
            next = stream.next().get();
          } finally {
            making.set(false);
          }
          ctx.executor().execute(() -> write(ctx, stream, next, task[0]));
        });
      } catch (RejectedExecutionException busy) {
        making.set(false);
      }
    }, 0, stream.interval().toMillis(), TimeUnit.MILLISECONDS);
    ctx.channel().closeFuture().addListener(closed -> task[0].cancel(false));
  }

  private static void write(ChannelHandlerContext ctx, EventStream stream, Object next, ScheduledFuture<?> task) {
    if (!ctx.channel().isActive()) {
      task.cancel(false);
    } else if (next == null) {
      task.cancel(false);
      ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
    } else {
      String data = new String(AdminApi.json(200, next).body(), StandardCharsets.UTF_8);
      ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(
          "event: " + stream.event() + "\ndata: " + data + "\n\n", StandardCharsets.UTF_8)));
    }
  }
}

package io.opampfleet.server.internal.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EventStreamWriterTest {
  private final AtomicInteger computed = new AtomicInteger();
  private final EventStream stream = new EventStream("fleet", Duration.ofSeconds(1),
      () -> computed.get() < 5 ? Map.of("n", computed.incrementAndGet()) : null);

  @Test
  void aClientThatDoesNotTakeWhatIsSentGetsNoMoreEventsQueuedUntilItDoes() {
    EmbeddedChannel connection = streaming();
    assertThat(events(connection)).containsExactly("{\"n\":1}");

    // The client stops reading: the send queue is past its high mark.
    connection.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    connection.advanceTimeBy(3, TimeUnit.SECONDS);
    connection.runScheduledPendingTasks();
    assertThat(events(connection)).isEmpty();
    assertThat(computed.get()).as("no event is even made while it cannot be sent").isEqualTo(1);

    connection.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
    connection.advanceTimeBy(1, TimeUnit.SECONDS);
    connection.runScheduledPendingTasks();
    assertThat(events(connection)).containsExactly("{\"n\":2}");
  }

  @Test
  void theStreamEndsAfterItsLastEventAndClosesTheConnection() {
    EmbeddedChannel connection = streaming();
    for (int second = 0; second < 6; second++) {
      connection.advanceTimeBy(1, TimeUnit.SECONDS);
      connection.runScheduledPendingTasks();
    }

    assertThat(events(connection)).containsExactly("{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}", "{\"n\":5}");
    assertThat(connection.isOpen()).isFalse();
  }

  /** A connection that starts the stream as it opens; the head is read off. */
  private EmbeddedChannel streaming() {
    EmbeddedChannel connection = new EmbeddedChannel(new ChannelInboundHandlerAdapter() {
      @Override
      public void channelActive(ChannelHandlerContext ctx) {
        EventStreamWriter.start(ctx, stream, Runnable::run);
      }
    });
    connection.runPendingTasks();
    assertThat((Object) connection.readOutbound()).isInstanceOf(HttpResponse.class);
    return connection;
  }

  private static List<String> events(EmbeddedChannel connection) {
    connection.runPendingTasks();
    List<String> data = new ArrayList<>();
    for (Object message = connection.readOutbound(); message != null; message = connection.readOutbound()) {
      if (message instanceof HttpContent content && !(message instanceof LastHttpContent)) {
        String text = content.content().toString(StandardCharsets.UTF_8);
        data.add(text.substring(text.indexOf("data: ") + 6).strip());
      }
      io.netty.util.ReferenceCountUtil.release(message);
    }
    return data;
  }
}

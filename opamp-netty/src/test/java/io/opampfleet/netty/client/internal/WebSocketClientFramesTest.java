package io.opampfleet.netty.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.proto.framing.WebSocketMessageCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebSocketClientFramesTest {
  private final List<Object> heard = new ArrayList<>();
  private final EmbeddedChannel channel = listening();

  private EmbeddedChannel listening(io.netty.channel.ChannelHandler... ahead) {
    io.netty.channel.ChannelHandler[] handlers = java.util.Arrays.copyOf(ahead, ahead.length + 1);
    handlers[ahead.length] = frames();
    return new EmbeddedChannel(handlers);
  }

  private WebSocketClientFrames frames() {
    return new WebSocketClientFrames(new WebSocketClientFrames.Listener() {
    @Override
    public void opened(Channel channel) {
      heard.add("opened");
    }

    @Override
    public void received(ServerToAgent message) {
      heard.add(message);
    }

    @Override
    public void closed(Throwable cause, Duration retryAfter) {
      heard.add("closed retryAfter=" + retryAfter);
    }
    });
  }

  @Test
  void tellsOfTheOpenSocketAndEachMessage() {
    ServerToAgent message = ServerToAgent.newBuilder().setInstanceUid(ByteString.copyFromUtf8("0123456789abcdef")).setFlags(1).build();

    channel.pipeline().fireUserEventTriggered(ClientHandshakeStateEvent.HANDSHAKE_COMPLETE);
    channel.writeInbound(new BinaryWebSocketFrame(WebSocketMessageCodec.encode(message, ByteBufAllocator.DEFAULT)));
    channel.close();

    assertThat(heard).containsExactly("opened", message, "closed retryAfter=null");
  }

  @Test
  void skipsAMessageThatCannotBeReadAndStaysOpen() {
    channel.pipeline().fireUserEventTriggered(ClientHandshakeStateEvent.HANDSHAKE_COMPLETE);

    channel.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {7, 1, 2})));

    assertThat(heard).containsExactly("opened");
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void pingsAQuietServerAndClosesWhenThePingGoesUnanswered() {
    EmbeddedChannel quiet = openWithPingAfter30s();

    pass(quiet, 31);
    assertThat((Object) quiet.readOutbound()).isInstanceOf(PingWebSocketFrame.class);
    assertThat(quiet.isOpen()).isTrue();

    pass(quiet, 31);
    assertThat(quiet.isOpen()).isFalse();
    assertThat(heard).containsExactly("opened", "closed retryAfter=null");
  }

  @Test
  void anAnswerToThePingKeepsTheConnection() {
    EmbeddedChannel quiet = openWithPingAfter30s();

    pass(quiet, 31);
    quiet.writeInbound(new PongWebSocketFrame());
    pass(quiet, 29);

    assertThat(quiet.isOpen()).isTrue();
    assertThat(heard).containsExactly("opened");
  }

  private EmbeddedChannel openWithPingAfter30s() {
    EmbeddedChannel open = listening(new IdleStateHandler(30, 0, 0, TimeUnit.SECONDS));
    open.pipeline().fireUserEventTriggered(ClientHandshakeStateEvent.HANDSHAKE_COMPLETE);
    return open;
  }

  private static void pass(EmbeddedChannel channel, int seconds) {
    channel.advanceTimeBy(seconds, TimeUnit.SECONDS);
    channel.runPendingTasks();
  }

  @Test
  void aRefusedUpgradeClosesWithTheServersRetryAfter() {
    DefaultFullHttpResponse refusal = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SERVICE_UNAVAILABLE);
    refusal.headers().set(HttpHeaderNames.RETRY_AFTER, "7");

    channel.pipeline().fireExceptionCaught(new WebSocketClientHandshakeException("refused", refusal));

    assertThat(channel.isOpen()).isFalse();
    assertThat(heard).containsExactly("closed retryAfter=PT7S");
  }
}

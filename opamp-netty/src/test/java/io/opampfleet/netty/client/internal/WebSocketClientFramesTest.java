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
  private final EmbeddedChannel channel = new EmbeddedChannel(new WebSocketClientFrames(new WebSocketClientFrames.Listener() {
    @Override
    public void opened(Channel channel) {
      heard.add("opened");
    }

    @Override
    public void received(ServerToAgent message) {
      heard.add(message);
    }

    @Override
    public void closed(boolean wasOpen, Throwable cause, Duration retryAfter) {
      heard.add("closed open=" + wasOpen + " retryAfter=" + retryAfter);
    }
  }));

  @Test
  void tellsOfTheOpenSocketAndEachMessage() {
    ServerToAgent message = ServerToAgent.newBuilder().setInstanceUid(ByteString.copyFromUtf8("0123456789abcdef")).setFlags(1).build();

    channel.pipeline().fireUserEventTriggered(ClientHandshakeStateEvent.HANDSHAKE_COMPLETE);
    channel.writeInbound(new BinaryWebSocketFrame(WebSocketMessageCodec.encode(message, ByteBufAllocator.DEFAULT)));
    channel.close();

    assertThat(heard).containsExactly("opened", message, "closed open=true retryAfter=null");
  }

  @Test
  void skipsAMessageThatCannotBeReadAndStaysOpen() {
    channel.pipeline().fireUserEventTriggered(ClientHandshakeStateEvent.HANDSHAKE_COMPLETE);

    channel.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {7, 1, 2})));

    assertThat(heard).containsExactly("opened");
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void aRefusedUpgradeClosesWithTheServersRetryAfter() {
    DefaultFullHttpResponse refusal = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SERVICE_UNAVAILABLE);
    refusal.headers().set(HttpHeaderNames.RETRY_AFTER, "7");

    channel.pipeline().fireExceptionCaught(new WebSocketClientHandshakeException("refused", refusal));

    assertThat(channel.isOpen()).isFalse();
    assertThat(heard).containsExactly("closed open=false retryAfter=PT7S");
  }
}

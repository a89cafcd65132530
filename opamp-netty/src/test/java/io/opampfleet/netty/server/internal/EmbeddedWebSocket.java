package io.opampfleet.netty.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.ArrayList;
import java.util.List;

/** A WebSocket client's side of an embedded server connection: upgrade, masked frames in, frames out. */
final class EmbeddedWebSocket {
  final EmbeddedChannel server;
  private final EmbeddedChannel encoder = new EmbeddedChannel(new WebSocket13FrameEncoder(true));
  private final EmbeddedChannel decoder = new EmbeddedChannel(new WebSocket13FrameDecoder(false, false, 1 << 26));

  private EmbeddedWebSocket(EmbeddedChannel server) {
    this.server = server;
  }

  static EmbeddedWebSocket open(EmbeddedEndpoint endpoint) {
    EmbeddedChannel server = endpoint.connect();
    FullHttpRequest upgrade = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v1/opamp");
    upgrade.headers()
        .set(HttpHeaderNames.HOST, "localhost")
        .set(HttpHeaderNames.UPGRADE, "websocket")
        .set(HttpHeaderNames.CONNECTION, "Upgrade")
        .set(HttpHeaderNames.SEC_WEBSOCKET_KEY, "dGhlIHNhbXBsZSBub25jZQ==")
        .set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
    FullHttpResponse response = EmbeddedEndpoint.exchange(server, upgrade);
    if (!response.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS)) {
      throw new AssertionError("the upgrade was answered " + response.status());
    }
    return new EmbeddedWebSocket(server);
  }

  void send(WebSocketFrame frame) {
    encoder.writeOutbound(frame);
    for (ByteBuf bytes = encoder.readOutbound(); bytes != null; bytes = encoder.readOutbound()) {
      server.writeInbound(bytes);
    }
    server.runPendingTasks();
  }

  /** The frames the server sent since the last call. */
  List<WebSocketFrame> received() {
    server.runPendingTasks();
    for (Object bytes = server.readOutbound(); bytes != null; bytes = server.readOutbound()) {
      decoder.writeInbound(bytes);
    }
    List<WebSocketFrame> frames = new ArrayList<>();
    for (WebSocketFrame frame = decoder.readInbound(); frame != null; frame = decoder.readInbound()) {
      frames.add(frame);
    }
    return frames;
  }
}

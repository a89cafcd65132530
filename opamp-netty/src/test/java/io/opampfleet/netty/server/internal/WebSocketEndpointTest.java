package io.opampfleet.netty.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.ServerCallbacks;
import io.opampfleet.netty.server.ServerLimits;
import io.opampfleet.netty.server.Transport;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.proto.ServerErrorResponseType;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.proto.framing.WebSocketMessageCodec;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class WebSocketEndpointTest {
  private static final ByteString UID = ByteString.copyFromUtf8("0123456789abcdef");
  private static final AgentToServer REPORT = AgentToServer.newBuilder().setInstanceUid(UID).setSequenceNum(1)
      .setCapabilities(1).build();

  private final List<AgentConnection> connected = new CopyOnWriteArrayList<>();
  private final List<AgentConnection> closed = new CopyOnWriteArrayList<>();
  private final ServerCallbacks recording = new ServerCallbacks() {
    @Override
    public void onConnected(AgentConnection connection) {
      connected.add(connection);
    }

    @Override
    public void onClose(AgentConnection connection) {
      closed.add(connection);
    }
  };

  @Test
  void aBinaryMessageIsAnsweredWithAReplyThatEchoesTheUid() throws Exception {
    EmbeddedWebSocket socket = EmbeddedWebSocket.open(new EmbeddedEndpoint(recording, ServerLimits.defaults()));

    socket.send(frame(REPORT));

    ServerToAgent reply = reply(socket.received());
    assertThat(reply.getInstanceUid()).isEqualTo(UID);
    assertThat(reply.getCapabilities()).isEqualTo(1);
    assertThat(connected).singleElement().extracting(AgentConnection::transport).isEqualTo(Transport.WEBSOCKET);
  }

  @Test
  void aMalformedUpgradeIsRefusedWith400AndNothingIsConnected() {
    EmbeddedEndpoint endpoint = new EmbeddedEndpoint(recording, ServerLimits.defaults());
    io.netty.channel.embedded.EmbeddedChannel server = endpoint.connect();
    io.netty.handler.codec.http.FullHttpRequest upgrade = new io.netty.handler.codec.http.DefaultFullHttpRequest(
        io.netty.handler.codec.http.HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpMethod.GET, "/v1/opamp");
    upgrade.headers().set("Host", "localhost").set("Upgrade", "websocket").set("Connection", "Upgrade")
        .set("Sec-WebSocket-Version", "13");

    io.netty.handler.codec.http.FullHttpResponse response = EmbeddedEndpoint.exchange(server, upgrade);
    server.close();

    assertThat(response.status().code()).isEqualTo(400);
    assertThat(server.isOpen()).isFalse();
    assertThat(connected).isEmpty();
    assertThat(closed).isEmpty();
  }

  @Test
  void aMessageInFragmentsIsReadWhole() throws Exception {
    AgentToServer large = REPORT.toBuilder().setAgentDescription(AgentDescription.newBuilder()
        .addIdentifyingAttributes(KeyValue.newBuilder().setKey("service.name").build())).build();
    byte[] bytes = frameBytes(large);
    EmbeddedWebSocket socket = EmbeddedWebSocket.open(new EmbeddedEndpoint());

    socket.send(new BinaryWebSocketFrame(false, 0, Unpooled.wrappedBuffer(bytes, 0, 5)));
    socket.send(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(bytes, 5, bytes.length - 5)));

    assertThat(reply(socket.received()).getInstanceUid()).isEqualTo(UID);
  }

  @Test
  void aWrongHeaderGetsABadRequestReplyAndTheSocketStaysOpen() throws Exception {
    EmbeddedWebSocket socket = EmbeddedWebSocket.open(new EmbeddedEndpoint());
    byte[] bytes = frameBytes(REPORT);
    bytes[0] = 1;

    socket.send(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)));

    ServerToAgent reply = reply(socket.received());
    assertThat(reply.getErrorResponse().getType()).isEqualTo(ServerErrorResponseType.ServerErrorResponseType_BadRequest);
    assertThat(reply.getErrorResponse().getErrorMessage()).contains("header must be 0");
    socket.send(frame(REPORT));
    assertThat(reply(socket.received()).getInstanceUid()).isEqualTo(UID);
  }

  @Test
  void aUidThatIsNot16BytesGetsABadRequestReplyWithoutItAndTheSocketStaysOpen() throws Exception {
    EmbeddedWebSocket socket = EmbeddedWebSocket.open(new EmbeddedEndpoint());

    socket.send(frame(REPORT.toBuilder().setInstanceUid(ByteString.copyFrom(new byte[70_000])).build()));

    ServerToAgent reply = reply(socket.received());
    assertThat(reply.getInstanceUid()).isEmpty();
    assertThat(reply.getErrorResponse().getErrorMessage()).isEqualTo("the instance_uid must be 16 bytes (a UUID), not 70000");
    socket.send(frame(REPORT));
    assertThat(reply(socket.received()).getInstanceUid()).isEqualTo(UID);
  }

  @Test
  void aMessagePastTheBytesInHandClosesItsSocketWith1013WhileTheOneInHandIsAnswered() throws Exception {
    HeldReply callbacks = new HeldReply();
    EmbeddedEndpoint endpoint = new EmbeddedEndpoint(callbacks,
        ServerLimits.defaults().withMaxMessageBytes(4096).withMaxBytesInHand(4096));
    EmbeddedWebSocket holding = EmbeddedWebSocket.open(endpoint);
    EmbeddedWebSocket refused = EmbeddedWebSocket.open(endpoint);
    holding.send(frame(HeldReply.weighing(REPORT.toBuilder().setSequenceNum(HeldReply.HELD).build(), 3000)));

    refused.send(frame(HeldReply.weighing(REPORT, 1500)));

    assertThat(refused.received()).singleElement().isInstanceOfSatisfying(
        io.netty.handler.codec.http.websocketx.CloseWebSocketFrame.class,
        close -> assertThat(close.statusCode()).isEqualTo(1013));
    callbacks.reply.complete(ServerToAgent.getDefaultInstance());
    assertThat(reply(holding.received()).getInstanceUid()).isEqualTo(UID);
    assertThat(endpoint.context.bytesInHand()).isZero();
  }

  @Test
  void messagesSentAheadWaitTheirTurnAndStayCountedUntilEachIsAnswered() throws Exception {
    HeldReply callbacks = new HeldReply();
    EmbeddedEndpoint endpoint = new EmbeddedEndpoint(callbacks, ServerLimits.defaults());
    EmbeddedWebSocket socket = EmbeddedWebSocket.open(endpoint);
    socket.send(frame(HeldReply.weighing(REPORT.toBuilder().setSequenceNum(HeldReply.HELD).build(), 3000)));
    socket.send(frame(HeldReply.weighing(REPORT.toBuilder().setSequenceNum(8).build(), 2000)));

    assertThat(callbacks.handed).containsExactly(HeldReply.HELD);
    assertThat(endpoint.context.bytesInHand()).isGreaterThan(5000);

    callbacks.reply.complete(ServerToAgent.getDefaultInstance());
    assertThat(socket.received()).hasSize(2);
    assertThat(callbacks.handed).containsExactly(HeldReply.HELD, 8L);
    assertThat(endpoint.context.bytesInHand()).isZero();
  }

  @Test
  void pingsAndPongsTakeNothingFromTheBytesInHand() throws Exception {
    EmbeddedEndpoint endpoint = new EmbeddedEndpoint(new ServerCallbacks() {},
        ServerLimits.defaults().withMaxMessageBytes(4096).withMaxBytesInHand(4096));
    EmbeddedWebSocket socket = EmbeddedWebSocket.open(endpoint);

    for (int i = 0; i < 100; i++) {
      socket.send(new PongWebSocketFrame(Unpooled.wrappedBuffer(new byte[100])));
      socket.send(new PingWebSocketFrame(Unpooled.wrappedBuffer(new byte[100])));
    }

    assertThat(endpoint.context.bytesInHand()).isZero();
    assertThat(socket.received()).hasSize(100).allSatisfy(frame -> assertThat(frame).isInstanceOf(PongWebSocketFrame.class));
    socket.send(frame(REPORT));
    assertThat(reply(socket.received()).getInstanceUid()).isEqualTo(UID);
  }

  @Test
  void bytesThatAreNotProtobufGetABadRequestReply() throws Exception {
    EmbeddedWebSocket socket = EmbeddedWebSocket.open(new EmbeddedEndpoint());

    socket.send(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {0, (byte) 0xFF, (byte) 0xFF, 0x7F})));

    assertThat(reply(socket.received()).getErrorResponse().getErrorMessage()).contains("not a valid OpAMP message");
  }

  @Test
  void aTextMessageClosesTheSocketWith1003() {
    EmbeddedWebSocket socket = EmbeddedWebSocket.open(new EmbeddedEndpoint(recording, ServerLimits.defaults()));

    socket.send(new TextWebSocketFrame("hello"));

    assertThat(closeStatus(socket.received())).isEqualTo(1003);
    assertThat(socket.server.isOpen()).isFalse();
    assertThat(closed).hasSize(1);
  }

  @Test
  void aMessageOverTheLimitClosesTheSocketWith1009() {
    EmbeddedWebSocket socket = EmbeddedWebSocket.open(
        new EmbeddedEndpoint(new ServerCallbacks() {}, ServerLimits.defaults().withMaxMessageBytes(4096)));

    socket.send(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[5000])));

    assertThat(closeStatus(socket.received())).isEqualTo(1009);
    assertThat(socket.server.isOpen()).isFalse();
  }

  @Test
  void fragmentsThatAddUpPastTheLimitCloseTheSocketWith1009() {
    EmbeddedWebSocket socket = EmbeddedWebSocket.open(
        new EmbeddedEndpoint(new ServerCallbacks() {}, ServerLimits.defaults().withMaxMessageBytes(4096)));

    socket.send(new BinaryWebSocketFrame(false, 0, Unpooled.wrappedBuffer(new byte[3000])));
    socket.send(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(new byte[3000])));

    assertThat(closeStatus(socket.received())).isEqualTo(1009);
  }

  @Test
  void aPingIsAnsweredWithAPong() {
    EmbeddedWebSocket socket = EmbeddedWebSocket.open(new EmbeddedEndpoint());

    socket.send(new PingWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {7})));

    assertThat(socket.received()).singleElement().isInstanceOf(PongWebSocketFrame.class);
  }

  @Test
  void aCloseIsAnsweredAndTheCallbacksAreTold() {
    EmbeddedWebSocket socket = EmbeddedWebSocket.open(new EmbeddedEndpoint(recording, ServerLimits.defaults()));

    socket.send(new CloseWebSocketFrame(1000, "bye"));

    assertThat(closeStatus(socket.received())).isEqualTo(1000);
    assertThat(socket.server.isOpen()).isFalse();
    assertThat(closed).containsExactlyElementsOf(connected);
  }

  @Test
  void theServerCanSendAtAnyTimeAddressedToTheAgentsUid() throws Exception {
    EmbeddedWebSocket socket = EmbeddedWebSocket.open(new EmbeddedEndpoint(recording, ServerLimits.defaults()));
    socket.send(frame(REPORT));
    socket.received();

    connected.get(0).send(ServerToAgent.newBuilder().setFlags(1).build());

    ServerToAgent pushed = reply(socket.received());
    assertThat(pushed.getFlags()).isEqualTo(1);
    assertThat(pushed.getInstanceUid()).isEqualTo(UID);
  }

  private static BinaryWebSocketFrame frame(AgentToServer message) {
    return new BinaryWebSocketFrame(WebSocketMessageCodec.encode(message, ByteBufAllocator.DEFAULT));
  }

  private static byte[] frameBytes(AgentToServer message) {
    byte[] bytes = new byte[message.getSerializedSize() + 1];
    System.arraycopy(message.toByteArray(), 0, bytes, 1, bytes.length - 1);
    return bytes;
  }

  private static ServerToAgent reply(List<WebSocketFrame> frames) {
    assertThat(frames).singleElement().isInstanceOf(BinaryWebSocketFrame.class);
    return WebSocketMessageCodec.decode(frames.get(0).content(), ServerToAgent.parser());
  }

  private static int closeStatus(List<WebSocketFrame> frames) {
    assertThat(frames).last().isInstanceOf(CloseWebSocketFrame.class);
    return ((CloseWebSocketFrame) frames.get(frames.size() - 1)).statusCode();
  }
}

package io.opampfleet.proto.framing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ServerToAgent;
import org.junit.jupiter.api.Test;

class WebSocketMessageCodecTest {
  private static final AgentToServer REPORT = AgentToServer.newBuilder()
      .setInstanceUid(ByteString.copyFrom(new byte[16]))
      .setSequenceNum(7)
      .setCapabilities(0x1801)
      .build();

  @Test
  void encodesAZeroHeaderFollowedByTheMessage() {
    ByteBuf frame = WebSocketMessageCodec.encode(REPORT, ByteBufAllocator.DEFAULT);
    try {
      assertThat(frame.readableBytes()).isEqualTo(1 + REPORT.getSerializedSize());
      assertThat(frame.getByte(0)).isEqualTo((byte) 0);
      byte[] data = new byte[frame.readableBytes() - 1];
      frame.getBytes(1, data);
      assertThat(data).isEqualTo(REPORT.toByteArray());
    } finally {
      frame.release();
    }
  }

  @Test
  void decodesWhatItEncodes() {
    ByteBuf frame = WebSocketMessageCodec.encode(REPORT, ByteBufAllocator.DEFAULT);
    try {
      assertThat(WebSocketMessageCodec.decode(frame, AgentToServer.parser())).isEqualTo(REPORT);
    } finally {
      frame.release();
    }
  }

  @Test
  void acceptsAHeaderWithNoDataAsAnEmptyMessage() {
    ServerToAgent decoded = WebSocketMessageCodec.decode(bytes(0x00), ServerToAgent.parser());
    assertThat(decoded).isEqualTo(ServerToAgent.getDefaultInstance());
  }

  @Test
  void acceptsZeroWrittenAsALongerVarint() {
    ByteBuf frame = bytes(0x80, 0x80, 0x00);
    WebSocketMessageCodec.readHeader(frame);
    assertThat(frame.readerIndex()).isEqualTo(3);
  }

  @Test
  void refusesANonZeroHeader() {
    assertThatThrownBy(() -> WebSocketMessageCodec.decode(bytes(0x01, 0x08, 0x01), AgentToServer.parser()))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining("header must be 0, but is 1");
  }

  @Test
  void refusesAMultiByteNonZeroHeader() {
    assertThatThrownBy(() -> WebSocketMessageCodec.readHeader(bytes(0xAC, 0x02)))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining("but is 300");
  }

  @Test
  void refusesAnEmptyWebSocketMessage() {
    assertThatThrownBy(() -> WebSocketMessageCodec.readHeader(bytes()))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void refusesAHeaderThatEndsInsideItsVarint() {
    assertThatThrownBy(() -> WebSocketMessageCodec.readHeader(bytes(0x80, 0x80)))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining("after 2 bytes");
  }

  @Test
  void refusesAVarintLongerThanTenBytes() {
    assertThatThrownBy(() -> WebSocketMessageCodec.readHeader(
            bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00)))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining("64 bits");
  }

  @Test
  void refusesDataThatIsNotTheMessage() {
    assertThatThrownBy(() -> WebSocketMessageCodec.decode(bytes(0x00, 0xFF, 0xFF, 0xFF), AgentToServer.parser()))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining("not a valid OpAMP message");
  }

  private static ByteBuf bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return Unpooled.wrappedBuffer(out);
  }
}

package io.opampfleet.proto.framing;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The layout of an OpAMP message in a binary WebSocket message: a Base-128 varint header, which
 * the specification allows only to be 0 (the single byte {@code 0x00}), then the protobuf data to
 * the end of the WebSocket message, with no length prefix.
 */
public final class WebSocketMessageCodec {
  /** The encoded size of the only header value the specification allows. */
  public static final int HEADER_SIZE = 1;

  private static final int MAX_VARINT_BYTES = 10;

  private WebSocketMessageCodec() {}

  /** Encodes header and message into one new buffer, sized exactly. */
  public static ByteBuf encode(MessageLite message, ByteBufAllocator allocator) {
    int size = message.getSerializedSize();
    ByteBuf out = allocator.buffer(HEADER_SIZE + size, HEADER_SIZE + size);
    try {
      writeHeader(out);
      CodedOutputStream coded = CodedOutputStream.newInstance(out.nioBuffer(out.writerIndex(), size));
      message.writeTo(coded);
      coded.checkNoSpaceLeft();
      out.writerIndex(out.writerIndex() + size);
      return out;
    } catch (IOException e) {
      out.release();
      throw new UncheckedIOException("could not encode " + message.getClass().getSimpleName(), e);
    }
  }

  /**
   * Reads the header and the message that follows it, to the end of the buffer. Does not
   * release the buffer.
   *
   * @throws MalformedMessageException when the header is not 0 or the data is not the message
   */
  public static <T> T decode(ByteBuf frame, Parser<T> parser) {
    readHeader(frame);
    try {
      return parser.parseFrom(frame.nioBuffer());
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedMessageException("the WebSocket message is not a valid OpAMP message: " + e.getMessage(), e);
    }
  }

  public static void writeHeader(ByteBuf out) {
    out.writeByte(0);
  }

  /**
   * Reads the varint header and leaves the reader index at the first byte of protobuf data.
   *
   * @throws MalformedMessageException when the header is missing, truncated, too long or not 0
   */
  public static void readHeader(ByteBuf in) {
    long header = readVarint(in);
    if (header != 0) {
      throw new MalformedMessageException("the OpAMP WebSocket header must be 0, but is "
          + Long.toUnsignedString(header) + ": other values are reserved by the specification");
    }
  }

  private static long readVarint(ByteBuf in) {
    long value = 0;
    for (int i = 0; i < MAX_VARINT_BYTES; i++) {
      if (!in.isReadable()) {
        throw new MalformedMessageException(i == 0
            ? "the WebSocket message is empty: an OpAMP message starts with a varint header"
            : "the OpAMP WebSocket header ends inside its varint, after " + i + " bytes");
      }
      byte b = in.readByte();
      if (i == MAX_VARINT_BYTES - 1 && (b & 0xFE) != 0) {
        throw new MalformedMessageException("the OpAMP WebSocket header's varint does not fit 64 bits");
      }
      value |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new MalformedMessageException("the OpAMP WebSocket header's varint is longer than 10 bytes");
  }
}

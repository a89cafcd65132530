package io.opampfleet.server.internal.inventory;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.WireFormat;
import java.io.IOException;

/**
 * About what a reported part takes in the heap once parsed: its encoded bytes, and a share for each
 * object parsing makes of it (a message, a string or bytes, a map entry). Parsed, a part of many small
 * entries takes up to 16 times its encoded size (256 KiB of component types held 4.1 MB), so counting
 * encoded bytes alone let a stranger's reports hold many times what the budget allowed. The objects are
 * counted in the encoded form: reading a parsed map as a list would make it keep both. Protobuf has no
 * size-in-memory of its own, and a general object-graph walker is far slower than this scan.
 */
final class HeldSize {
  /**
   * An object's share: its header and fields and the reference to it. Calibrated on parsed parts:
   * tiny component entries 100 bytes each, a contrib build's list 165 KB, 256 one-letter attributes 46 KB
   * (this counts 150, 180 KB and 52 KB).
   */
  static final int BYTES_PER_OBJECT = 48;
  private static final int UNKNOWN_FIELD_OBJECTS = 4;

  private HeldSize() {}

  static long of(Message part) {
    if (part == null) {
      return 0;
    }
    ByteString encoded = part.toByteString();
    try {
      return encoded.size() + BYTES_PER_OBJECT * objects(encoded.newCodedInput(), part.getDescriptorForType());
    } catch (IOException e) {
      throw new IllegalStateException("a parsed part did not read back: " + e.getMessage(), e);
    }
  }

  private static long objects(CodedInputStream in, Descriptor type) throws IOException {
    long objects = 1;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      int wireType = WireFormat.getTagWireType(tag);
      FieldDescriptor field = type.findFieldByNumber(WireFormat.getTagFieldNumber(tag));
      if (field == null || !readAs(field, wireType)) {
        objects += unknown(in, tag);
      } else if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        int limit = in.pushLimit(in.readRawVarint32());
        objects += objects(in, field.getMessageType());
        in.popLimit(limit);
      } else {
        in.skipField(tag);
        // A string, bytes or a packed list are objects; a number is a field of its message.
        objects += wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED ? 1 : 0;
      }
    }
    return objects;
  }

  /** Whether the parser reads the field from this wire type (a number may come packed); if not, it keeps it as unknown. */
  private static boolean readAs(FieldDescriptor field, int wireType) {
    return wireType == field.getLiteType().getWireType()
        || (field.isPackable() && wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED);
  }

  /**
   * A field the parser keeps in the unknown-field set: an entry, a field record, a list and the value,
   * a few bytes on the wire each; a group keeps each field inside it the same way.
   */
  private static long unknown(CodedInputStream in, int tag) throws IOException {
    if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_START_GROUP) {
      in.skipField(tag);
      return UNKNOWN_FIELD_OBJECTS;
    }
    long objects = UNKNOWN_FIELD_OBJECTS;
    for (int inner = in.readTag(); inner != 0 && WireFormat.getTagWireType(inner) != WireFormat.WIRETYPE_END_GROUP;
        inner = in.readTag()) {
      objects += unknown(in, inner);
    }
    return objects;
  }
}

package io.opampfleet.proto.interop;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Message;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Fills every field of a protobuf-java message, recursively, with values that differ from each
 * other, so that a field read under another field's number shows. Repeated fields and maps get two
 * elements; each oneof gets the member the variant picks; a recursive type nests twice.
 */
final class ProtobufFiller {
  static final int MAX_NESTING_OF_A_TYPE = 2;

  private final int variant;
  private long next = 1;

  ProtobufFiller(int variant) {
    this.variant = variant;
  }

  Message fill(Message.Builder builder) {
    return fill(builder, new ArrayDeque<>());
  }

  private Message fill(Message.Builder builder, Deque<Descriptor> path) {
    Descriptor type = builder.getDescriptorForType();
    path.push(type);
    for (FieldDescriptor field : type.getFields()) {
      OneofDescriptor oneof = field.getRealContainingOneof();
      if (oneof != null && oneof.getField(variant % oneof.getFieldCount()) != field) {
        continue;
      }
      if (field.isMapField()) {
        fillMap(builder, field, path);
      } else if (tooDeep(field, path)) {
        continue;
      } else if (field.isRepeated()) {
        for (int i = 0; i < 2; i++) {
          builder.addRepeatedField(field, value(builder, field, path));
        }
      } else {
        builder.setField(field, value(builder, field, path));
      }
    }
    path.pop();
    return builder.build();
  }

  private void fillMap(Message.Builder builder, FieldDescriptor field, Deque<Descriptor> path) {
    FieldDescriptor key = field.getMessageType().findFieldByName("key");
    FieldDescriptor value = field.getMessageType().findFieldByName("value");
    if (tooDeep(value, path)) {
      return;
    }
    for (int i = 0; i < 2; i++) {
      Message.Builder entry = builder.newBuilderForField(field);
      entry.setField(key, value(entry, key, path));
      entry.setField(value, value(entry, value, path));
      builder.addRepeatedField(field, entry.build());
    }
  }

  private static boolean tooDeep(FieldDescriptor field, Deque<Descriptor> path) {
    if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
      return false;
    }
    Descriptor type = field.getMessageType();
    return path.stream().filter(type::equals).count() >= MAX_NESTING_OF_A_TYPE;
  }

  private Object value(Message.Builder parent, FieldDescriptor field, Deque<Descriptor> path) {
    long n = next++;
    switch (field.getType()) {
      case MESSAGE:
      case GROUP:
        return fill(parent.newBuilderForField(field), path);
      case ENUM:
        List<EnumValueDescriptor> values = field.getEnumType().getValues();
        return values.size() == 1 ? values.get(0) : values.get(1 + (int) (n % (values.size() - 1)));
      case STRING:
        return "string-" + n;
      case BYTES:
        return ByteString.copyFromUtf8("bytes-" + n);
      case BOOL:
        return true;
      case DOUBLE:
        return n + 0.25;
      case FLOAT:
        return n + 0.5f;
      case INT64:
      case SINT64:
      case SFIXED64:
        return -(1_000_000L + n);
      case UINT64:
      case FIXED64:
        return (1L << 40) + n;
      default:
        return (int) n;
    }
  }
}

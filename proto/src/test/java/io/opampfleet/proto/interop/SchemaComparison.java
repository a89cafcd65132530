package io.opampfleet.proto.interop;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.WireFormat;
import com.squareup.wire.WireEnum;
import com.squareup.wire.WireField;
import java.io.IOException;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares a message of our schema with the same message as the peer's schema holds it, field by
 * field and by field number, and lists every difference as a sentence with the field's path.
 */
final class SchemaComparison {
  /**
   * Fields of the current specification that the peer's schema does not have yet. The peer must
   * keep them as unknown fields under the same number, which the comparison checks.
   */
  static final Set<String> NEWER_THAN_PEER = Set.of("opamp.proto.v1.ComponentHealth.attributes");

  private final List<String> differences = new ArrayList<>();

  private SchemaComparison() {}

  static List<String> differences(Message ours, Object peer) {
    SchemaComparison comparison = new SchemaComparison();
    comparison.compareMessage(ours, peer, ours.getDescriptorForType().getName());
    return comparison.differences;
  }

  private void compareMessage(Message ours, Object peer, String path) {
    Descriptor type = ours.getDescriptorForType();
    Set<Integer> expectedUnknown = new HashSet<>();
    for (FieldDescriptor field : type.getFields()) {
      String fieldPath = path + "." + field.getName();
      Field peerField = peerField(peer.getClass(), field.getName());
      if (peerField == null) {
        if (!NEWER_THAN_PEER.contains(field.getFullName())) {
          differences.add(fieldPath + ": the peer has no such field");
        } else if (isSet(ours, field)) {
          expectedUnknown.add(field.getNumber());
        }
        continue;
      }
      int peerNumber = peerField.getAnnotation(WireField.class).tag();
      if (peerNumber != field.getNumber()) {
        differences.add(fieldPath + ": number " + field.getNumber() + " here, " + peerNumber + " in the peer");
      }
      compareField(ours, field, read(peerField, peer), fieldPath);
    }
    for (Field peerField : WireSchema.fields(peer.getClass())) {
      if (type.findFieldByName(peerField.getName()) == null) {
        differences.add(path + "." + peerField.getName() + ": only the peer has this field");
      }
    }
    Set<Integer> unknown = unknownFieldNumbers(peer);
    if (!unknown.equals(expectedUnknown)) {
      differences.add(path + ": the peer kept fields " + unknown + " as unknown, expected " + expectedUnknown);
    }
  }

  private void compareField(Message ours, FieldDescriptor field, Object peerValue, String path) {
    if (field.isMapField()) {
      compareMaps(ours, field, (Map<?, ?>) peerValue, path);
    } else if (field.isRepeated()) {
      List<?> peerList = (List<?>) peerValue;
      int size = ours.getRepeatedFieldCount(field);
      if (size != peerList.size()) {
        differences.add(path + ": " + size + " elements here, " + peerList.size() + " in the peer");
        return;
      }
      for (int i = 0; i < size; i++) {
        compareValue(field, ours.getRepeatedField(field, i), peerList.get(i), path + "[" + i + "]");
      }
    } else if (field.hasPresence() && ours.hasField(field) != (peerValue != null)) {
      differences.add(path + ": " + (ours.hasField(field) ? "set here, unset" : "unset here, set") + " in the peer");
    } else if (!field.hasPresence() || ours.hasField(field)) {
      compareValue(field, ours.getField(field), peerValue, path);
    }
  }

  private void compareMaps(Message ours, FieldDescriptor field, Map<?, ?> peerMap, String path) {
    FieldDescriptor key = field.getMessageType().findFieldByName("key");
    FieldDescriptor value = field.getMessageType().findFieldByName("value");
    Map<Object, Object> ourMap = new LinkedHashMap<>();
    for (Object entry : (List<?>) ours.getField(field)) {
      Message message = (Message) entry;
      ourMap.put(normalize(message.getField(key)), message.getField(value));
    }
    Map<Object, Object> peerByKey = new LinkedHashMap<>();
    peerMap.forEach((k, v) -> peerByKey.put(normalize(k), v));
    if (!ourMap.keySet().equals(peerByKey.keySet())) {
      differences.add(path + ": keys " + ourMap.keySet() + " here, " + peerByKey.keySet() + " in the peer");
      return;
    }
    ourMap.forEach((k, v) -> compareValue(value, v, peerByKey.get(k), path + "[" + k + "]"));
  }

  private void compareValue(FieldDescriptor field, Object ours, Object peer, String path) {
    if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      compareMessage((Message) ours, peer, path);
      return;
    }
    Object left = normalize(ours);
    Object right = normalize(peer);
    if (!Objects.equals(left, right)) {
      differences.add(path + ": value " + left + " here, " + right + " in the peer");
    }
  }

  private static boolean isSet(Message message, FieldDescriptor field) {
    return field.isRepeated() ? message.getRepeatedFieldCount(field) > 0 : message.hasField(field);
  }

  /** Both schemas' values as plain Java values: numbers as long or double, bytes as hex. */
  private static Object normalize(Object value) {
    if (value instanceof com.google.protobuf.ByteString bytes) {
      return "0x" + okio.ByteString.of(bytes.toByteArray()).hex();
    }
    if (value instanceof okio.ByteString bytes) {
      return "0x" + bytes.hex();
    }
    if (value instanceof EnumValueDescriptor enumValue) {
      return (long) enumValue.getNumber();
    }
    if (value instanceof WireEnum enumValue) {
      return (long) enumValue.getValue();
    }
    if (value instanceof Integer number) {
      return number.longValue();
    }
    if (value instanceof Float number) {
      return number.doubleValue();
    }
    return value;
  }

  private static Field peerField(Class<?> peerType, String name) {
    return WireSchema.fields(peerType).stream().filter(f -> f.getName().equals(name)).findFirst().orElse(null);
  }

  private static Object read(Field field, Object owner) {
    try {
      return field.get(owner);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Set<Integer> unknownFieldNumbers(Object peer) {
    okio.ByteString unknown = ((com.squareup.wire.Message<?, ?>) peer).unknownFields();
    Set<Integer> numbers = new TreeSet<>();
    try {
      CodedInputStream in = CodedInputStream.newInstance(unknown.toByteArray());
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        numbers.add(WireFormat.getTagFieldNumber(tag));
        in.skipField(tag);
      }
    } catch (IOException e) {
      throw new IllegalStateException("the peer's unknown fields do not parse", e);
    }
    return numbers;
  }
}

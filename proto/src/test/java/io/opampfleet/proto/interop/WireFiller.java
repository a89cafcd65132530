package io.opampfleet.proto.interop;

import com.squareup.wire.WireField;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okio.ByteString;

/**
 * Fills every field of a message of the peer's schema (Wire classes), recursively, through the
 * peer's own builders: the same rules as {@link ProtobufFiller}, but knowing nothing of ours.
 */
final class WireFiller {
  private final int variant;
  private long next = 1;

  WireFiller(int variant) {
    this.variant = variant;
  }

  Object fill(Class<?> messageType) throws ReflectiveOperationException {
    return fill(messageType, new ArrayDeque<>());
  }

  private Object fill(Class<?> messageType, Deque<Class<?>> path) throws ReflectiveOperationException {
    Class<?> builderType = Class.forName(messageType.getName() + "$Builder");
    Object builder = builderType.getConstructor().newInstance();
    path.push(messageType);
    List<Field> fields = WireSchema.fields(messageType);
    for (Field field : fields) {
      WireField meta = field.getAnnotation(WireField.class);
      if (!meta.oneofName().isEmpty() && !chosenInOneof(field, meta.oneofName(), fields)) {
        continue;
      }
      Object value;
      if (Map.class.isAssignableFrom(field.getType())) {
        Class<?> valueType = typeArgument(field, 1);
        if (tooDeep(valueType, path)) {
          continue;
        }
        Map<Object, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < 2; i++) {
          map.put("key-" + next++, value(valueType, meta.adapter(), path));
        }
        value = map;
      } else if (List.class.isAssignableFrom(field.getType())) {
        Class<?> elementType = typeArgument(field, 0);
        if (tooDeep(elementType, path)) {
          continue;
        }
        List<Object> list = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          list.add(value(elementType, meta.adapter(), path));
        }
        value = list;
      } else {
        if (tooDeep(field.getType(), path)) {
          continue;
        }
        value = value(field.getType(), meta.adapter(), path);
      }
      builderType.getField(field.getName()).set(builder, value);
    }
    path.pop();
    return builderType.getMethod("build").invoke(builder);
  }

  private boolean chosenInOneof(Field field, String oneof, List<Field> fields) {
    List<Field> members = fields.stream()
        .filter(f -> f.getAnnotation(WireField.class).oneofName().equals(oneof))
        .toList();
    return members.get(variant % members.size()).equals(field);
  }

  private static boolean tooDeep(Class<?> type, Deque<Class<?>> path) {
    return path.stream().filter(type::equals).count() >= ProtobufFiller.MAX_NESTING_OF_A_TYPE;
  }

  private Object value(Class<?> type, String adapter, Deque<Class<?>> path) throws ReflectiveOperationException {
    long n = next++;
    if (com.squareup.wire.Message.class.isAssignableFrom(type)) {
      return fill(type, path);
    }
    if (type.isEnum()) {
      Object[] values = type.getEnumConstants();
      return values.length == 1 ? values[0] : values[1 + (int) (n % (values.length - 1))];
    }
    if (type == String.class) {
      return "peer-string-" + n;
    }
    if (type == ByteString.class) {
      return ByteString.encodeUtf8("peer-bytes-" + n);
    }
    if (type == boolean.class || type == Boolean.class) {
      return true;
    }
    if (type == double.class || type == Double.class) {
      return n + 0.75;
    }
    if (type == float.class || type == Float.class) {
      return n + 0.5f;
    }
    if (type == long.class || type == Long.class) {
      boolean signed = adapter.endsWith("#INT64") || adapter.endsWith("#SINT64") || adapter.endsWith("#SFIXED64");
      return signed ? -(2_000_000L + n) : (1L << 41) + n;
    }
    if (type == int.class || type == Integer.class) {
      return (int) n;
    }
    throw new IllegalArgumentException("no value for peer type " + type.getName());
  }

  private static Class<?> typeArgument(Field field, int index) {
    return (Class<?>) ((ParameterizedType) field.getGenericType()).getActualTypeArguments()[index];
  }
}

package io.opampfleet.proto.interop;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.squareup.wire.ProtoAdapter;
import com.squareup.wire.WireField;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/** The peer's schema: the Wire classes that the OpenTelemetry Java contrib OpAMP client ships. */
final class WireSchema {
  static final String PACKAGE = "opamp.proto";

  private WireSchema() {}

  static Class<?> messageClass(Descriptor ours) {
    return load(ours.getName());
  }

  static Class<?> enumClass(EnumDescriptor ours) {
    return load(ours.getName());
  }

  @SuppressWarnings("unchecked")
  static ProtoAdapter<Object> adapter(Class<?> messageClass) {
    try {
      return (ProtoAdapter<Object>) messageClass.getField("ADAPTER").get(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(messageClass + " has no ADAPTER", e);
    }
  }

  /** The fields that carry a protobuf field, in field-number order. */
  static List<Field> fields(Class<?> messageClass) {
    return Arrays.stream(messageClass.getFields())
        .filter(f -> f.isAnnotationPresent(WireField.class))
        .sorted(Comparator.comparingInt(f -> f.getAnnotation(WireField.class).tag()))
        .toList();
  }

  /** The simple names of every message and enum class in the peer's schema package. */
  static List<String> typeNames() {
    try {
      Path jar = Path.of(load("AgentToServer").getProtectionDomain().getCodeSource().getLocation().toURI());
      try (JarFile file = new JarFile(jar.toFile())) {
        String prefix = PACKAGE.replace('.', '/') + "/";
        return file.stream()
            .map(JarEntry::getName)
            .filter(name -> name.startsWith(prefix) && name.endsWith(".class") && !name.contains("$"))
            .map(name -> name.substring(prefix.length(), name.length() - ".class".length()))
            .filter(name -> !name.contains("/"))
            .sorted()
            .toList();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Class<?> load(String simpleName) {
    try {
      return Class.forName(PACKAGE + "." + simpleName);
    } catch (ClassNotFoundException e) {
      throw new AssertionError("the peer's schema has no type " + simpleName, e);
    }
  }
}

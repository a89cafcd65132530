package io.opampfleet.strictyaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One mapping of a YAML configuration file, read strictly: each value is asked for by key and type, with
 * environment variables expanded, and {@link #finish()} refuses the keys nobody asked for. Every
 * error names the key the Go supervisor's way ({@code agent::executable}) and the reason.
 */
public final class ConfigNode {
  private final String file;
  private final String path;
  private final JsonNode node;
  private final EnvExpander expander;
  private final List<String> warnings;
  private final Set<String> known = new LinkedHashSet<>();

  public ConfigNode(String file, String path, JsonNode node, EnvExpander expander, List<String> warnings) {
    this.file = file;
    this.path = path;
    this.node = node == null || node.isNull() || node.isMissingNode() ? JsonNodeFactory.instance.objectNode() : node;
    this.expander = expander;
    this.warnings = warnings;
    if (!this.node.isObject()) {
      throw new ConfigException(file + ": " + (path.isEmpty() ? "the file" : path) + ": must be a mapping of keys to values");
    }
  }

  public ConfigNode child(String key) {
    return new ConfigNode(file, path(key), value(key), expander, warnings);
  }

  public boolean has(String key) {
    known.add(key);
    JsonNode value = node.get(key);
    return value != null && !value.isNull();
  }

  public String string(String key, String otherwise) {
    JsonNode value = value(key);
    if (value == null || value.isNull()) {
      return otherwise;
    }
    if (!value.isValueNode()) {
      throw error(key, "must be a single value, not a " + (value.isArray() ? "list" : "mapping"));
    }
    return expand(key, value.asText());
  }

  public String required(String key) {
    String value = string(key, "");
    if (value.isBlank()) {
      throw error(key, "must be specified");
    }
    return value;
  }

  public boolean bool(String key, boolean otherwise) {
    String value = string(key, null);
    if (value == null) {
      return otherwise;
    }
    return switch (value.trim().toLowerCase()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw error(key, "'" + value + "' is not true or false");
    };
  }

  public int integer(String key, int otherwise, int min, int max) {
    return (int) longInteger(key, otherwise, min, max);
  }

  /** A whole number that may be past an int's range: a count of bytes, say. */
  public long longInteger(String key, long otherwise, long min, long max) {
    String value = string(key, null);
    if (value == null || value.isBlank()) {
      return otherwise;
    }
    long parsed;
    try {
      parsed = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw error(key, "'" + value + "' is not a whole number");
    }
    if (parsed < min || parsed > max) {
      throw error(key, "must be between " + min + " and " + max + ", not " + parsed);
    }
    return parsed;
  }

  /** A Go duration that must be positive. */
  public Duration positiveDuration(String key, Duration otherwise) {
    String value = string(key, null);
    if (value == null) {
      return otherwise;
    }
    Duration parsed;
    try {
      parsed = GoDuration.parse(value);
    } catch (IllegalArgumentException e) {
      throw error(key, e.getMessage());
    }
    if (parsed.isNegative() || parsed.isZero()) {
      throw error(key, "must be greater than zero, not " + value);
    }
    return parsed;
  }

  public List<String> strings(String key) {
    JsonNode value = value(key);
    if (value == null || value.isNull()) {
      return List.of();
    }
    if (!value.isArray()) {
      throw error(key, "must be a list");
    }
    List<String> items = new ArrayList<>();
    for (int i = 0; i < value.size(); i++) {
      JsonNode item = value.get(i);
      if (!item.isValueNode()) {
        throw error(key, "item " + (i + 1) + " must be a single value");
      }
      items.add(expand(key, item.asText()));
    }
    return List.copyOf(items);
  }

  /** A mapping of names to values, kept in the file's order. */
  public Map<String, String> stringMap(String key) {
    Map<String, List<String>> multi = stringListMap(key);
    Map<String, String> single = new LinkedHashMap<>();
    multi.forEach((name, values) -> {
      if (values.size() != 1) {
        throw error(key + "::" + name, "must be a single value");
      }
      single.put(name, values.get(0));
    });
    return single;
  }

  /** A mapping of names to one value or a list of values, as Go's http.Header takes them. */
  public Map<String, List<String>> stringListMap(String key) {
    JsonNode value = value(key);
    if (value == null || value.isNull()) {
      return Map.of();
    }
    if (!value.isObject()) {
      throw error(key, "must be a mapping of names to values");
    }
    Map<String, List<String>> entries = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> fields = value.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode item = field.getValue();
      List<String> values = new ArrayList<>();
      if (item.isArray()) {
        item.forEach(element -> values.add(expand(key + "::" + field.getKey(), element.asText())));
      } else if (item.isValueNode()) {
        values.add(expand(key + "::" + field.getKey(), item.asText()));
      } else {
        throw error(key + "::" + field.getKey(), "must be a value or a list of values");
      }
      entries.put(field.getKey(), List.copyOf(values));
    }
    return entries;
  }

  /** A section handed on as it is, with environment variables expanded in its values. */
  public JsonNode raw(String key) {
    JsonNode value = value(key);
    return value == null ? JsonNodeFactory.instance.objectNode() : expandAll(key, value.deepCopy());
  }

  /** A key that is no longer used: accepted, with a warning that says so. */
  public void dropped(String key, String advice) {
    if (has(key)) {
      warnings.add(file + ": " + path(key) + ": is no longer used and is ignored; " + advice);
    }
  }

  /** A key that is valid but whose behaviour this program does not have: accepted, with a warning. */
  public void notApplied(String key, String why) {
    if (has(key)) {
      warnings.add(file + ": " + path(key) + ": is accepted but not applied: " + why);
    }
  }

  /** @throws ConfigException naming the first key this mapping does not have */
  public void finish() {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        throw error(name, "unknown key; the keys here are " + String.join(", ", new TreeSet<>(known)));
      }
    }
  }

  public ConfigException error(String key, String reason) {
    return new ConfigException(file + ": " + path(key) + ": " + reason);
  }

  public String path(String key) {
    return path.isEmpty() ? key : path + "::" + key;
  }

  private JsonNode value(String key) {
    known.add(key);
    return node.get(key);
  }

  private String expand(String key, String text) {
    try {
      return expander.expand(text);
    } catch (IllegalArgumentException e) {
      throw error(key, e.getMessage());
    }
  }

  private JsonNode expandAll(String key, JsonNode value) {
    if (value.isTextual()) {
      return JsonNodeFactory.instance.textNode(expand(key, value.asText()));
    }
    if (value.isObject()) {
      ObjectNode object = (ObjectNode) value;
      List<String> names = new ArrayList<>();
      object.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        object.set(name, expandAll(key + "::" + name, object.get(name)));
      }
    } else if (value.isArray()) {
      for (int i = 0; i < value.size(); i++) {
        ((com.fasterxml.jackson.databind.node.ArrayNode) value).set(i, expandAll(key, value.get(i)));
      }
    }
    return value;
  }
}

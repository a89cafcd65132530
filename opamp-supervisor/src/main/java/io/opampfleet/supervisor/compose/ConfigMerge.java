package io.opampfleet.supervisor.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges collector configs the way the Go supervisor does, so the same inputs give the same
 * effective.yaml: mappings merge key by key with the later one winning; lists are replaced, except
 * {@code service::extensions}, which add up without repeats in first-seen order, and
 * {@code service::telemetry::resource::attributes}, merged by {@code name}.
 */
final class ConfigMerge {
  private static final String EXTENSIONS = "service.extensions";
  static final String RESOURCE_ATTRIBUTES = "service.telemetry.resource.attributes";

  private ConfigMerge() {}

  /** Merges {@code overlay} into {@code base}, in place. */
  static void merge(ObjectNode base, JsonNode overlay) {
    merge(base, overlay, "");
  }

  private static void merge(ObjectNode base, JsonNode overlay, String path) {
    if (overlay == null || !overlay.isObject()) {
      return;
    }
    List<String> names = new ArrayList<>();
    overlay.fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      String childPath = path.isEmpty() ? name : path + "." + name;
      JsonNode incoming = overlay.get(name);
      JsonNode existing = base.get(name);
      if (existing != null && existing.isObject() && incoming.isObject()) {
        merge((ObjectNode) existing, incoming, childPath);
      } else if (existing != null && existing.isArray() && incoming.isArray() && childPath.equals(EXTENSIONS)) {
        base.set(name, union((ArrayNode) existing, (ArrayNode) incoming));
      } else if (existing != null && existing.isArray() && incoming.isArray() && childPath.equals(RESOURCE_ATTRIBUTES)) {
        base.set(name, mergeByName((ArrayNode) existing, (ArrayNode) incoming));
      } else {
        base.set(name, incoming.deepCopy());
      }
    }
  }

  private static ArrayNode union(ArrayNode first, ArrayNode second) {
    ArrayNode result = JsonNodeFactory.instance.arrayNode();
    List<JsonNode> seen = new ArrayList<>();
    for (ArrayNode list : List.of(first, second)) {
      for (JsonNode item : list) {
        if (!seen.contains(item)) {
          seen.add(item);
          result.add(item.deepCopy());
        }
      }
    }
    return result;
  }

  private static ArrayNode mergeByName(ArrayNode earlier, ArrayNode later) {
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    List<JsonNode> unnamed = new ArrayList<>();
    for (ArrayNode list : List.of(earlier, later)) {
      for (JsonNode attribute : list) {
        if (attribute.hasNonNull("name")) {
          byName.put(attribute.get("name").asText(), attribute.deepCopy());
        } else {
          unnamed.add(attribute.deepCopy());
        }
      }
    }
    ArrayNode result = JsonNodeFactory.instance.arrayNode();
    byName.values().forEach(result::add);
    unnamed.forEach(result::add);
    return result;
  }
}

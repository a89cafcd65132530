package io.opampfleet.server.internal.configs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.ComponentDetails;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Whether an agent can run a collector config: every component the config names under receivers,
 * processors, exporters, extensions and connectors must be among the components the agent
 * reports it has (the spec's available components, kind then type). An agent that reports none
 * cannot be checked and passes.
 */
public final class ComponentCheck {
  private static final List<String> KINDS = List.of("receivers", "processors", "exporters", "extensions", "connectors");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private ComponentCheck() {}

  /** "agent X lacks kind/type, ...": how an agent left out for lacking components is listed. */
  public static String lacking(String uid, List<String> missing) {
    return "agent " + uid + " lacks " + String.join(", ", missing);
  }

  /** The components the config names and the agent lacks, as {@code kind/type}; empty when it has them all. */
  public static List<String> missing(String config, AvailableComponents available) {
    if (available == null || available.getComponentsCount() == 0) {
      return List.of();
    }
    JsonNode root;
    try {
      root = YAML.readTree(config);
    } catch (IOException e) {
      return List.of();
    }
    List<String> missing = new ArrayList<>();
    for (String kind : KINDS) {
      JsonNode section = root == null ? null : root.get(kind);
      if (section == null || !section.isObject()) {
        continue;
      }
      Map<String, ComponentDetails> types = available.getComponentsMap().getOrDefault(kind,
          ComponentDetails.getDefaultInstance()).getSubComponentMapMap();
      for (Iterator<String> ids = section.fieldNames(); ids.hasNext(); ) {
        // A component id is type[/name].
        String type = ids.next().split("/", 2)[0];
        if (!types.containsKey(type) && !missing.contains(kind + "/" + type)) {
          missing.add(kind + "/" + type);
        }
      }
    }
    return missing;
  }
}

package io.opampfleet.supervisor.compose;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.strictyaml.YamlTrees;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentRemoteConfig;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.strictyaml.GoDuration;
import io.opampfleet.strictyaml.YamlFiles;
import io.opampfleet.strictyaml.YamlSyntaxException;
import io.opampfleet.supervisor.config.SupervisorConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Composes the collector's effective.yaml as the Go supervisor does: the nop pipeline while no
 * remote config is there, then agent::config_files in order with the supervisor's own parts
 * ({@code $OWN_TELEMETRY_CONFIG}, {@code $OPAMP_EXTENSION_CONFIG}, {@code $REMOTE_CONFIG}) where
 * they stand or where the Go supervisor puts them when they are left out.
 */
public final class EffectiveConfigComposer {
  static final String OWN_TELEMETRY = "$OWN_TELEMETRY_CONFIG";
  static final String OPAMP_EXTENSION = "$OPAMP_EXTENSION_CONFIG";
  static final String REMOTE = "$REMOTE_CONFIG";

  private static final YamlTrees YAML = new YamlTrees(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final SupervisorConfig config;
  private UUID instanceUid;
  private final int supervisorPort;
  private final long supervisorPid;
  private final boolean allowNoPipelines;
  private ObjectNode ownTelemetry = NODES.objectNode();
  private io.opampfleet.proto.ConnectionSettingsOffers ownTelemetryOffers =
      io.opampfleet.proto.ConnectionSettingsOffers.getDefaultInstance();

  /**
   * @param supervisorPort the port of the supervisor's local OpAMP server for the collector
   * @param allowNoPipelines the collector has the service.AllowNoPipelines feature gate
   */
  public EffectiveConfigComposer(SupervisorConfig config, UUID instanceUid, int supervisorPort, long supervisorPid,
      boolean allowNoPipelines) {
    this.config = config;
    this.instanceUid = instanceUid;
    this.supervisorPort = supervisorPort;
    this.supervisorPid = supervisorPid;
    this.allowNoPipelines = allowNoPipelines;
  }

  /** The server gave the agent a new uid: configs composed from now on name it (the collector's and its extension's). */
  public void instanceUid(UUID uid) {
    this.instanceUid = uid;
  }

  /**
   * From now on the collector's own telemetry goes where these offers say (see {@link OwnTelemetry}),
   * reaching the OpAMP server itself with the settings the supervisor connects with now (its
   * certificate changes when rotated).
   *
   * @return whether that changes the config the collector runs
   */
  public boolean ownTelemetry(io.opampfleet.proto.ConnectionSettingsOffers offers, SupervisorConfig.Server upstream) {
    ObjectNode next = OwnTelemetry.snippet(offers, config.capabilities(), upstream);
    boolean changed = !next.equals(ownTelemetry);
    ownTelemetry = next;
    ownTelemetryOffers = offers;
    return changed;
  }

  /** The own-telemetry offers the collector's config follows now (none: the default instance). */
  public io.opampfleet.proto.ConnectionSettingsOffers ownTelemetryOffers() {
    return ownTelemetryOffers;
  }

  /** The config the collector runs with the given remote config (null: none received yet). */
  public Composed compose(AgentRemoteConfig remote, AgentDescription description) throws ComposeException {
    boolean noRemote = remote == null || remote.getConfig().getConfigMapCount() == 0;
    ObjectNode merged = NODES.objectNode();
    if (config.capabilities().acceptsRemoteConfig() && noRemote && !allowNoPipelines) {
      ConfigMerge.merge(merged, nopPipeline());
    }
    List<String> warnings = new ArrayList<>();
    for (String entry : configFiles()) {
      switch (entry) {
        case OWN_TELEMETRY -> {
          ConfigMerge.merge(merged, ownTelemetry);
          ConfigMerge.merge(merged, extraTelemetry(description));
        }
        case OPAMP_EXTENSION -> ConfigMerge.merge(merged, opampExtension());
        case REMOTE -> mergeRemote(merged, remote);
        default -> mergeLocalFile(merged, entry, warnings);
      }
    }
    if (!allowNoPipelines && merged.path("service").path("pipelines").isEmpty()) {
      // A collector refuses to start without a pipeline: one with nothing else to run gets the nop
      // pipeline and stays up, where the Go supervisor would leave it restarting in a loop.
      ConfigMerge.merge(merged, nopPipeline());
    }
    normalizeResource(merged);
    return new Composed(write(merged), remote != null && remote.getConfig().getConfigMapCount() == 0,
        List.copyOf(warnings));
  }

  /**
   * The config of a supervisor that has never heard from its server and has no remote config:
   * agent::startup_fallback_configs in order, with the supervisor's own telemetry and opamp
   * extension parts, in place of agent::config_files.
   */
  public Composed composeFallback(AgentDescription description) throws ComposeException {
    ObjectNode merged = NODES.objectNode();
    List<String> warnings = new ArrayList<>();
    ConfigMerge.merge(merged, ownTelemetry);
    ConfigMerge.merge(merged, extraTelemetry(description));
    for (java.nio.file.Path file : config.agent().startupFallbackConfigs()) {
      mergeLocalFile(merged, file.toString(), warnings);
    }
    ConfigMerge.merge(merged, opampExtension());
    if (!allowNoPipelines && merged.path("service").path("pipelines").isEmpty()) {
      ConfigMerge.merge(merged, nopPipeline());
    }
    normalizeResource(merged);
    return new Composed(write(merged), false, List.copyOf(warnings));
  }

  /** The bootstrap config: only what the collector needs to describe itself to the supervisor. */
  public String bootstrap() {
    ObjectNode merged = NODES.objectNode();
    if (!allowNoPipelines) {
      ConfigMerge.merge(merged, nopPipeline());
    }
    ConfigMerge.merge(merged, opampExtension());
    ConfigMerge.merge(merged, object("service", object("telemetry", object("metrics", object("level", "none")))));
    return write(merged);
  }

  /** agent::config_files with the supervisor's own parts added where the Go supervisor adds them. */
  List<String> configFiles() {
    List<String> files = new ArrayList<>(config.agent().configFiles());
    if (!files.contains(OWN_TELEMETRY)) {
      files.add(0, OWN_TELEMETRY);
    }
    if (!files.contains(OPAMP_EXTENSION)) {
      files.add(OPAMP_EXTENSION);
    }
    if (!files.contains(REMOTE)) {
      files.add(REMOTE);
    }
    return files;
  }

  private void mergeRemote(ObjectNode merged, AgentRemoteConfig remote) throws ComposeException {
    if (remote == null) {
      return;
    }
    // Named entries by name, the unnamed one (the agent's own) last.
    TreeMap<String, AgentConfigFile> entries = new TreeMap<>(Comparator.comparing((String name) -> name.isEmpty())
        .thenComparing(Comparator.naturalOrder()));
    entries.putAll(remote.getConfig().getConfigMapMap());
    for (Map.Entry<String, AgentConfigFile> entry : entries.entrySet()) {
      JsonNode tree = parse(entry.getValue().getBody().toString(StandardCharsets.UTF_8), entry.getKey());
      if (tree.at("/service/telemetry/resource/attributes").isArray() && merged.at("/service/telemetry/resource").isObject()) {
        // Remote resource attributes replace the ones before them rather than merging by name.
        ((ObjectNode) merged.at("/service/telemetry/resource")).remove("attributes");
      }
      ConfigMerge.merge(merged, tree);
    }
    ConfigMerge.merge(merged, resource(Map.of("service.instance.id", instanceUid.toString())));
  }

  private static JsonNode parse(String yaml, String entry) throws ComposeException {
    String name = entry.isEmpty() ? "the remote config" : "the remote config entry '" + entry + "'";
    JsonNode tree;
    try {
      tree = YamlFiles.parse(yaml);
    } catch (YamlSyntaxException e) {
      throw new ComposeException(name + " is " + e.getMessage());
    }
    if (tree.isNull() || tree.isMissingNode()) {
      return NODES.objectNode();
    }
    if (!tree.isObject()) {
      throw new ComposeException(name + " is not a mapping of keys to values");
    }
    return tree;
  }

  private static void mergeLocalFile(ObjectNode merged, String file, List<String> warnings) {
    // Read as written: ${...} is left for the collector to resolve at run time.
    try {
      JsonNode tree = YAML.read(Files.readString(Path.of(file)));
      if (tree.isObject()) {
        ConfigMerge.merge(merged, tree);
      } else if (!tree.isNull() && !tree.isMissingNode()) {
        warnings.add(file + ": skipped: not a mapping of keys to values");
      }
    } catch (IOException e) {
      warnings.add(file + ": skipped: " + (e instanceof JsonProcessingException parse ? parse.getOriginalMessage()
          : e.getClass().getSimpleName() + " " + e.getMessage()));
    }
  }

  private ObjectNode opampExtension() {
    ObjectNode opamp = NODES.objectNode();
    opamp.put("instance_uid", instanceUid.toString());
    opamp.set("server", object("ws", object("endpoint", "ws://127.0.0.1:" + supervisorPort + "/v1/opamp")));
    ((ObjectNode) opamp.at("/server/ws")).set("tls", object("insecure", true));
    opamp.put("ppid", supervisorPid);
    opamp.put("ppid_poll_interval", GoDuration.format(config.agent().orphanDetectionInterval()));
    opamp.set("capabilities", object("reports_available_components", config.capabilities().reportsAvailableComponents()));
    if (config.agent().description().includeResourceAttributes()) {
      opamp.set("agent_description", object("include_resource_attributes", true));
    }
    ObjectNode snippet = object("extensions", object("opamp", opamp));
    ObjectNode service = object("extensions", NODES.arrayNode().add("opamp"));
    snippet.set("service", service);
    ConfigMerge.merge(snippet, resource(Map.of("service.instance.id", instanceUid.toString())));
    return snippet;
  }

  private static ObjectNode extraTelemetry(AgentDescription description) {
    ObjectNode logs = NODES.objectNode();
    logs.put("encoding", "json");
    logs.set("error_output_paths", NODES.arrayNode().add("stderr"));
    logs.set("output_paths", NODES.arrayNode().add("stdout"));
    TreeMap<String, String> attributes = new TreeMap<>();
    if (description != null) {
      for (KeyValue kv : description.getIdentifyingAttributesList()) {
        attributes.put(kv.getKey(), kv.getValue().getStringValue());
      }
      for (KeyValue kv : description.getNonIdentifyingAttributesList()) {
        attributes.put(kv.getKey(), kv.getValue().getStringValue());
      }
    }
    ObjectNode snippet = resource(attributes);
    ((ObjectNode) snippet.at("/service/telemetry")).set("logs", logs);
    return snippet;
  }

  private static ObjectNode nopPipeline() {
    ObjectNode snippet = object("receivers", object("nop", NODES.objectNode()));
    snippet.set("exporters", object("nop", NODES.objectNode()));
    ObjectNode traces = object("receivers", NODES.arrayNode().add("nop"));
    traces.set("exporters", NODES.arrayNode().add("nop"));
    snippet.set("service", object("pipelines", object("traces", traces)));
    return snippet;
  }

  /**
   * Resource attributes as inline keys, the form the collector we run (v0.149) accepts: a
   * declarative {@code attributes} list (which newer collectors take) is folded into inline keys,
   * an inline key winning over a listed one of the same name, as the Go supervisor's fold does.
   */
  private static void normalizeResource(ObjectNode merged) {
    if (!(merged.at("/service/telemetry/resource") instanceof ObjectNode resource)
        || !resource.path("attributes").isArray()) {
      return;
    }
    JsonNode listed = resource.remove("attributes");
    for (JsonNode attribute : listed) {
      String name = attribute.path("name").asText("");
      if (!name.isEmpty() && !resource.has(name)) {
        resource.set(name, attribute.path("value").deepCopy());
      }
    }
  }

  private static ObjectNode resource(Map<String, String> attributes) {
    ObjectNode resource = NODES.objectNode();
    attributes.forEach(resource::put);
    return object("service", object("telemetry", object("resource", resource)));
  }

  private static ObjectNode object(String key, Object value) {
    ObjectNode node = NODES.objectNode();
    if (value instanceof JsonNode json) {
      node.set(key, json);
    } else if (value instanceof Boolean flag) {
      node.put(key, flag);
    } else {
      node.put(key, value.toString());
    }
    return node;
  }

  private static String write(ObjectNode merged) {
    return YAML.write(merged);
  }
}

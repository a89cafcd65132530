package io.opampfleet.supervisor.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.strictyaml.ConfigException;
import io.opampfleet.strictyaml.ConfigNode;
import io.opampfleet.strictyaml.EnvExpander;
import io.opampfleet.strictyaml.YamlFiles;
import io.opampfleet.supervisor.config.SupervisorConfig.Agent;
import io.opampfleet.supervisor.config.SupervisorConfig.Capabilities;
import io.opampfleet.supervisor.config.SupervisorConfig.Description;
import io.opampfleet.supervisor.config.SupervisorConfig.Healthcheck;
import io.opampfleet.supervisor.config.SupervisorConfig.OpampServerSocket;
import io.opampfleet.supervisor.config.SupervisorConfig.Package;
import io.opampfleet.supervisor.config.SupervisorConfig.Server;
import io.opampfleet.supervisor.config.SupervisorConfig.Storage;
import io.opampfleet.supervisor.config.SupervisorConfig.Telemetry;
import io.opampfleet.supervisor.config.SupervisorConfig.Tls;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Reads supervisor.yaml the way the Go supervisor does: its defaults first, the file over them,
 * environment variables expanded, unknown keys refused, every setting checked, and keys the Go
 * supervisor dropped accepted with a warning.
 */
public final class SupervisorConfigLoader {
  /** The special entries of agent::config_files, standing for parts the supervisor writes. */
  public static final Set<String> SPECIAL_CONFIG_FILES =
      Set.of("$OWN_TELEMETRY_CONFIG", "$OPAMP_EXTENSION_CONFIG", "$REMOTE_CONFIG");

  private static final List<String> HEALTHCHECK_SERVER_SETTINGS = List.of("tls", "cors", "auth",
      "max_request_body_size", "include_metadata", "response_headers", "compression_algorithms",
      "read_timeout", "read_header_timeout", "write_timeout", "idle_timeout", "transport");

  private final UnaryOperator<String> environment;

  public SupervisorConfigLoader(UnaryOperator<String> environment) {
    this.environment = environment;
  }

  public static SupervisorConfigLoader withSystemEnvironment() {
    return new SupervisorConfigLoader(System::getenv);
  }

  /** A loaded configuration and what the user should hear about it. */
  public record Loaded(SupervisorConfig config, List<String> warnings) {}

  /** @throws ConfigException naming the file, the key path and the reason */
  public Loaded load(Path file) {
    JsonNode tree = YamlFiles.read(file);
    List<String> warnings = new ArrayList<>();
    ConfigNode root = new ConfigNode(file.toString(), "", tree, new EnvExpander(environment), warnings);
    JsonNode extensions = root.raw("extensions");
    Server server = server(root.child("server"), extensions);
    Capabilities capabilities = capabilities(root.child("capabilities"), warnings);
    SupervisorConfig config = new SupervisorConfig(
        server,
        capabilities,
        storage(root.child("storage")),
        agent(root.child("agent"), capabilities.acceptsPackages()),
        telemetry(root.child("telemetry")),
        healthcheck(root.child("healthcheck")),
        extensions);
    root.finish();
    return new Loaded(config, List.copyOf(warnings));
  }

  private static Server server(ConfigNode node, JsonNode extensions) {
    String endpoint = node.required("endpoint");
    URI uri;
    try {
      uri = new URI(endpoint);
    } catch (URISyntaxException e) {
      throw node.error("endpoint", "'" + endpoint + "' is not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
    if (!Set.of("ws", "wss", "http", "https").contains(scheme)) {
      throw node.error("endpoint", "invalid scheme \"" + scheme + "\"; use ws, wss, http or https");
    }
    if (uri.getHost() == null) {
      throw node.error("endpoint", "'" + endpoint + "' has no host");
    }
    node.notApplied("auth", "authenticate with server::headers or server::tls client certificates");
    String auth = node.string("auth", "");
    if (!auth.isEmpty() && !extensions.has(auth)) {
      throw node.error("auth", "references \"" + auth + "\", which is not configured under extensions");
    }
    Server server = new Server(uri, node.stringListMap("headers"), tls(node.child("tls")), auth);
    node.finish();
    return server;
  }

  private static Tls tls(ConfigNode node) {
    Tls tls = new Tls(node.bool("insecure", false), node.bool("insecure_skip_verify", false),
        node.string("ca_file", ""), node.string("ca_pem", ""), node.string("cert_file", ""),
        node.string("cert_pem", ""), node.string("key_file", ""), node.string("key_pem", ""),
        tlsVersion(node, "min_version", "1.2"), tlsVersion(node, "max_version", ""),
        node.string("server_name_override", ""),
        node.has("reload_interval") ? node.positiveDuration("reload_interval", null) : Duration.ZERO,
        node.bool("include_system_ca_certs_pool", false),
        // Ours, not the Go supervisor's: ask the server for a new certificate this long before the current ends.
        node.has("rotate_before") ? node.positiveDuration("rotate_before", null) : Duration.ZERO);
    if (!tls.certFile().isEmpty() && !tls.certPem().isEmpty()) {
      throw node.error("cert_file", "set either cert_file or cert_pem, not both");
    }
    if (!tls.keyFile().isEmpty() && !tls.keyPem().isEmpty()) {
      throw node.error("key_file", "set either key_file or key_pem, not both");
    }
    boolean hasCert = !tls.certFile().isEmpty() || !tls.certPem().isEmpty();
    boolean hasKey = !tls.keyFile().isEmpty() || !tls.keyPem().isEmpty();
    if (hasCert != hasKey) {
      throw node.error(hasCert ? "key_file" : "cert_file", "a client certificate and its key go together: set both");
    }
    node.finish();
    return tls;
  }

  private static String tlsVersion(ConfigNode node, String key, String otherwise) {
    String version = node.string(key, otherwise);
    if (!version.isEmpty() && !Set.of("1.0", "1.1", "1.2", "1.3").contains(version)) {
      throw node.error(key, "'" + version + "' is not a TLS version; use 1.2 or 1.3");
    }
    return version;
  }

  private static Capabilities capabilities(ConfigNode node, List<String> warnings) {
    if (node.has("reports_remote_config")) {
      node.bool("reports_remote_config", false);
      warnings.add(node.path("reports_remote_config")
          + ": is deprecated and has no effect; accepts_remote_config implies reporting it");
    }
    Capabilities capabilities = new Capabilities(
        node.bool("accepts_remote_config", false), node.bool("accepts_restart_command", false),
        node.bool("accepts_opamp_connection_settings", false), node.bool("reports_effective_config", true),
        node.bool("reports_own_metrics", true), node.bool("reports_own_logs", false),
        node.bool("reports_own_traces", false), node.bool("reports_health", true),
        node.bool("reports_available_components", false), node.bool("reports_heartbeat", true),
        node.bool("accepts_packages", false));
    node.finish();
    return capabilities;
  }

  private static Storage storage(ConfigNode node) {
    Storage storage = new Storage(Path.of(node.string("directory", "/var/lib/otelcol/supervisor")));
    node.finish();
    return storage;
  }

  private static Agent agent(ConfigNode node, boolean acceptsPackages) {
    Path executable = Path.of(node.required("executable"));
    if (!Files.exists(executable)) {
      throw node.error("executable", "could not stat agent::executable path " + executable + ": no such file");
    }
    List<String> configFiles = node.strings("config_files");
    for (String entry : configFiles) {
      if (entry.startsWith("$") && !SPECIAL_CONFIG_FILES.contains(entry)) {
        throw node.error("config_files", "'" + entry + "' is not one of " + String.join(", ",
            new java.util.TreeSet<>(SPECIAL_CONFIG_FILES)));
      }
    }
    int port = node.integer("opamp_server_port", 0, 0, 65535);
    OpampServerSocket socket = socket(node, port);
    String instanceId = node.string("instance_id", "");
    UUID uuid = null;
    if (!instanceId.isEmpty()) {
      try {
        uuid = UUID.fromString(instanceId);
      } catch (IllegalArgumentException e) {
        throw node.error("instance_id", "'" + instanceId + "' is not a UUID");
      }
    }
    List<Path> fallbacks = new ArrayList<>();
    for (String fallback : node.strings("startup_fallback_configs")) {
      Path path = Path.of(fallback);
      if (!Files.isRegularFile(path) || size(path) == 0) {
        throw node.error("startup_fallback_configs", fallback + " is missing or empty");
      }
      fallbacks.add(path);
    }
    node.dropped("health_check_port", "the collector's health now comes from its opamp extension");
    node.dropped("health_check_interval", "the collector's health now comes from its opamp extension");
    node.dropped("signature", "package verification is configured under agent::package::verifier");
    Agent agent = new Agent(executable, node.strings("args"), node.stringMap("env"), configFiles,
        description(node.child("description")),
        node.positiveDuration("orphan_detection_interval", Duration.ofSeconds(5)),
        node.positiveDuration("bootstrap_timeout", Duration.ofSeconds(3)),
        node.positiveDuration("config_apply_timeout", Duration.ofSeconds(5)),
        port, socket, node.bool("passthrough_logs", false),
        node.integer("collector_crash_log_snippet_kib", 0, 0, 1024),
        node.bool("use_hup_config_reload", false), node.bool("validate_config", false),
        node.bool("automatic_config_rollback", false), List.copyOf(fallbacks), uuid,
        agentPackage(node.child("package"), acceptsPackages));
    node.finish();
    return agent;
  }

  private static long size(Path path) {
    try {
      return Files.size(path);
    } catch (IOException e) {
      return 0;
    }
  }

  private static OpampServerSocket socket(ConfigNode agent, int port) {
    if (!agent.has("opamp_server_socket")) {
      if (agent.has("opamp_server_socket_mode")) {
        throw agent.error("opamp_server_socket_mode", "is only valid with opamp_server_socket::transport: unix");
      }
      return null;
    }
    if (port != 0) {
      throw agent.error("opamp_server_socket", "set either opamp_server_port or opamp_server_socket, not both");
    }
    agent.notApplied("opamp_server_socket", "the collector reaches the supervisor on a loopback port");
    ConfigNode node = agent.child("opamp_server_socket");
    String transport = node.required("transport");
    if (!transport.equals("unix")) {
      throw node.error("transport", "'" + transport + "' is not available here; use unix");
    }
    Path endpoint = Path.of(node.required("endpoint"));
    if (!endpoint.isAbsolute() || endpoint.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 107) {
      throw node.error("endpoint", "must be an absolute path of at most 107 bytes");
    }
    node.finish();
    String mode = agent.string("opamp_server_socket_mode", "0600");
    int parsed;
    try {
      parsed = Integer.parseInt(mode, 8);
    } catch (NumberFormatException e) {
      throw agent.error("opamp_server_socket_mode", "'" + mode + "' is not an octal mode such as 0600");
    }
    if (parsed < 0 || parsed > 0777) {
      throw agent.error("opamp_server_socket_mode", "must be between 0 and 0777");
    }
    return new OpampServerSocket(transport, endpoint, parsed);
  }

  private static Description description(ConfigNode node) {
    Description description = new Description(node.stringMap("identifying_attributes"),
        node.stringMap("non_identifying_attributes"), node.bool("include_resource_attributes", false));
    node.finish();
    return description;
  }

  private static Package agentPackage(ConfigNode node, boolean acceptsPackages) {
    String binary = node.string("agent_binary", "otelcol-contrib");
    String archive = node.string("archive", "");
    if (!archive.isEmpty() && !archive.equals("tar.gz")) {
      throw node.error("archive", "'" + archive + "' is not supported; leave it empty or use tar.gz");
    }
    if (archive.equals("tar.gz") && binary.isBlank()) {
      throw node.error("agent_binary", "must name the executable inside a tar.gz archive");
    }
    ConfigNode verifier = node.child("verifier");
    String type = verifier.string("type", "");
    if (!Set.of("", "cosign", "signature").contains(type)) {
      throw verifier.error("type", "'" + type + "' is not supported; use signature (ours), cosign or leave it empty");
    }
    if (type.equals("cosign") && acceptsPackages) {
      throw verifier.error("type", "cosign needs Sigstore's online services, which this supervisor does not call;"
          + " use type: signature with signature::public_key_file");
    }
    JsonNode cosign = verifier.raw("cosign");
    // Ours: a detached signature over the package file, checked with a public key or certificate.
    ConfigNode signature = verifier.child("signature");
    String publicKey = signature.string("public_key_file", "");
    if (type.equals("signature") && publicKey.isEmpty()) {
      throw signature.error("public_key_file", "is required with verifier type signature: the PEM public key or"
          + " certificate of whoever signs the packages");
    }
    if (!publicKey.isEmpty() && !Files.isReadable(Path.of(publicKey))) {
      throw signature.error("public_key_file", publicKey + " cannot be read");
    }
    signature.finish();
    verifier.finish();
    node.finish();
    return new Package(binary, archive, type, cosign, publicKey.isEmpty() ? null : Path.of(publicKey));
  }

  private static Telemetry telemetry(ConfigNode node) {
    ConfigNode logs = node.child("logs");
    String level = logs.string("level", "info").toLowerCase();
    if (!Set.of("debug", "info", "warn", "error", "dpanic", "panic", "fatal").contains(level)) {
      throw logs.error("level", "'" + level + "' is not a log level; use debug, info, warn or error");
    }
    String encoding = logs.string("encoding", "json");
    if (!Set.of("json", "console").contains(encoding)) {
      throw logs.error("encoding", "'" + encoding + "' is not json or console");
    }
    List<String> outputs = logs.has("output_paths") ? logs.strings("output_paths") : List.of("stdout");
    List<String> errorOutputs = logs.has("error_output_paths") ? logs.strings("error_output_paths") : List.of("stderr");
    JsonNode processors = logs.raw("processors");
    logs.finish();
    ConfigNode metrics = node.child("metrics");
    String metricsLevel = metrics.string("level", "basic");
    if (!Set.of("none", "basic", "normal", "detailed").contains(metricsLevel)) {
      throw metrics.error("level", "'" + metricsLevel + "' is not none, basic, normal or detailed");
    }
    JsonNode readers = metrics.raw("readers");
    metrics.finish();
    Telemetry telemetry = new Telemetry(level, outputs, errorOutputs, encoding, processors, metricsLevel, readers,
        node.raw("traces"), node.raw("resource"));
    node.finish();
    return telemetry;
  }

  private static Healthcheck healthcheck(ConfigNode node) {
    String endpoint = node.string("endpoint", "");
    int colon = endpoint.lastIndexOf(':');
    if (colon >= 0) {
      String port = endpoint.substring(colon + 1);
      if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
        throw node.error("endpoint", "'" + endpoint + "' needs a port between 0 and 65535");
      }
    }
    // The rest of the endpoint's HTTP server settings (the collector's confighttp) go on as they are.
    com.fasterxml.jackson.databind.node.ObjectNode settings = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    for (String key : HEALTHCHECK_SERVER_SETTINGS) {
      node.notApplied(key, "the supervisor's /health is served over plain HTTP");
      if (node.has(key)) {
        settings.set(key, node.raw(key));
      }
    }
    node.finish();
    return new Healthcheck(endpoint, settings);
  }
}

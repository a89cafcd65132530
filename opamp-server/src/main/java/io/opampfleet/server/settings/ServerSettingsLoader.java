package io.opampfleet.server.settings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.opampfleet.netty.server.Balancers;
import io.opampfleet.server.settings.ServerSettings.AgentPolicy;
import io.opampfleet.server.settings.ServerSettings.External;
import io.opampfleet.server.settings.ServerSettings.OwnTelemetry;
import io.opampfleet.server.settings.ServerSettings.Limits;
import io.opampfleet.server.settings.ServerSettings.Listener;
import io.opampfleet.server.settings.ServerSettings.Signing;
import io.opampfleet.server.settings.ServerSettings.Storage;
import io.opampfleet.server.settings.ServerSettings.Tls;
import io.opampfleet.server.settings.ServerSettings.TokenEntry;
import io.opampfleet.strictyaml.ConfigException;
import io.opampfleet.strictyaml.ConfigNode;
import io.opampfleet.strictyaml.EnvExpander;
import io.opampfleet.strictyaml.YamlFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads server.yaml strictly: unknown keys are named, {@code ${ENV}} is expanded, every setting
 * has a default, and a listener on a non-loopback address needs TLS or {@code insecure: true}.
 */
public final class ServerSettingsLoader {
  private static final Set<String> ROLES = Set.of("viewer", "operator", "admin");

  private final UnaryOperator<String> environment;
  private final long maxHeapBytes;

  /** {@code maxHeapBytes} sizes the default message limit. */
  public ServerSettingsLoader(UnaryOperator<String> environment, long maxHeapBytes) {
    this.environment = environment;
    this.maxHeapBytes = maxHeapBytes;
  }

  public ServerSettingsLoader(UnaryOperator<String> environment) {
    this(environment, Runtime.getRuntime().maxMemory());
  }

  /** The settings of a server started with no file. */
  public ServerSettings defaults() {
    return read("(defaults)", MissingNode.getInstance());
  }

  /** @throws ConfigException naming the file, the key and the reason */
  public ServerSettings load(Path file) {
    return read(file.toString(), YamlFiles.read(file));
  }

  private ServerSettings read(String file, JsonNode tree) {
    ConfigNode root = new ConfigNode(file, "", tree, new EnvExpander(environment), new ArrayList<>());
    Listener opamp = listener(root.child("opamp"), 4320, true, Limits.opampDefaults(maxHeapBytes));
    ServerSettings settings = new ServerSettings(
        opamp,
        listener(root.child("admin"), 4321, false, Limits.adminDefaults(maxHeapBytes)),
        agentPolicy(root.child("agents"), presentsCertificates(opamp), maxHeapBytes),
        tokens(root),
        storage(root.child("storage")),
        retention(root.child("events"), Duration.ofDays(7)),
        signing(root.child("signing")),
        logFormat(root.child("logging")),
        secretKeys(root.child("redaction")),
        retention(root.child("audit"), Duration.ofDays(365)),
        ownTelemetry(root.child("own_telemetry"), opamp.limits().maxBytes()));
    root.finish();
    return settings;
  }

  private static Listener listener(ConfigNode node, int port, boolean agents, Limits defaults) {
    String listen = node.string("listen", "127.0.0.1:" + port);
    InetSocketAddress address = address(node, listen);
    Optional<Tls> tls = Optional.empty();
    if (node.has("tls")) {
      ConfigNode tlsNode = node.child("tls");
      Optional<Path> ca = agents
          ? Optional.ofNullable(tlsNode.string("client_ca_file", null)).map(Path::of) : Optional.empty();
      tls = Optional.of(new Tls(Path.of(tlsNode.required("cert_file")), Path.of(tlsNode.required("key_file")), ca));
      tlsNode.finish();
    }
    boolean insecure = node.bool("insecure", false);
    Balancers balancers = agents ? balancers(node.child("balancers")) : Balancers.none();
    Listener listener = new Listener(address, tls, insecure, limits(node, agents, defaults), balancers);
    node.finish();
    if (!listener.loopback() && tls.isEmpty() && !insecure) {
      throw node.error("listen", listen + " is reachable from other machines but has no tls; configure tls, "
          + "or set insecure: true to serve it in clear text");
    }
    return listener;
  }

  private static Balancers balancers(ConfigNode node) {
    List<String> addresses = node.strings("addresses");
    boolean proxyProtocol = node.bool("proxy_protocol", false);
    String header = node.string("client_certificate_header", null);
    if (header != null && !header.matches("[A-Za-z0-9-]{1,64}")) {
      throw node.error("client_certificate_header", "'" + header + "' is not an HTTP header name");
    }
    if ((proxyProtocol || header != null) && addresses.isEmpty()) {
      throw node.error("addresses", "name the balancers' addresses (such as 10.0.0.0/8): PROXY headers and"
          + " forwarded certificates are taken from them only");
    }
    Balancers balancers;
    try {
      balancers = new Balancers(addresses, proxyProtocol, header);
    } catch (IllegalArgumentException e) {
      throw node.error("addresses", e.getMessage());
    }
    node.finish();
    return balancers;
  }

  private static Limits limits(ConfigNode node, boolean agents, Limits defaults) {
    int maxBytes = agents
        ? node.integer("max_message_bytes", defaults.maxBytes(), 1024, Integer.MAX_VALUE)
        : node.integer("max_body_bytes", defaults.maxBytes(), 1024, Integer.MAX_VALUE);
    // The whole file is gathered into one buffer, whose size Netty keeps to an int.
    int maxPackageBytes = agents ? 0
        : node.integer("max_package_bytes", defaults.maxPackageBytes(), 1024 * 1024, Integer.MAX_VALUE - 8);
    int maxConnections = node.integer("max_connections", defaults.maxConnections(), 1, Integer.MAX_VALUE);
    int perAddress = node.integer("max_connections_per_address", defaults.maxConnectionsPerAddress(), 1,
        Integer.MAX_VALUE);
    Duration requestTimeout = node.positiveDuration("request_timeout", defaults.requestTimeout());
    Duration idleTimeout = node.positiveDuration("idle_timeout", defaults.idleTimeout());
    int eventStreams = agents ? 0
        : node.integer("max_event_streams", defaults.maxEventStreams(), 1, Integer.MAX_VALUE);
    int newPerSecond = agents
        ? node.integer("max_new_connections_per_second", defaults.newConnectionsPerSecond(), 1, Integer.MAX_VALUE) : 0;
    return new Limits(maxBytes, maxPackageBytes, maxConnections, perAddress, requestTimeout, idleTimeout, eventStreams,
        newPerSecond);
  }

  private static InetSocketAddress address(ConfigNode node, String listen) {
    int colon = listen.lastIndexOf(':');
    if (colon <= 0) {
      throw node.error("listen", "'" + listen + "' is not host:port");
    }
    String host = listen.substring(0, colon).replace("[", "").replace("]", "");
    try {
      int port = Integer.parseInt(listen.substring(colon + 1));
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return new InetSocketAddress(host, port);
    } catch (NumberFormatException e) {
      throw node.error("listen", "'" + listen.substring(colon + 1) + "' is not a port number");
    }
  }

  /** Whether agents connect with client certificates: to the listener, or to a balancer that forwards them. */
  private static boolean presentsCertificates(Listener opamp) {
    return opamp.tls().flatMap(Tls::clientCaFile).isPresent() || opamp.balancers().clientCertificateHeader() != null;
  }

  /**
   * Where agents present certificates, each must name its instance uid unless turned off: else the
   * first certificate the CA signed to use a uid would own it.
   */
  /** At least an hour: agents go quiet for minutes when a network or a server is down. */
  private static Duration forgetAfter(ConfigNode node) {
    Duration forgetAfter = node.positiveDuration("forget_after", AgentPolicy.DEFAULT_FORGET_AFTER);
    if (forgetAfter.compareTo(Duration.ofHours(1)) < 0) {
      throw node.error("forget_after", "must be at least 1h, not " + forgetAfter.toMinutes() + " minutes");
    }
    return forgetAfter;
  }

  private static AgentPolicy agentPolicy(ConfigNode node, boolean certificates, long maxHeapBytes) {
    AgentPolicy policy = new AgentPolicy(node.bool("require_uid_in_certificate", certificates),
        Optional.ofNullable(node.string("endpoint", null)).filter(url -> !url.isBlank()),
        Optional.ofNullable(node.string("package_download_url", null)).filter(url -> !url.isBlank()),
        node.longInteger("max_reported_bytes", AgentPolicy.defaultMaxReportedBytes(maxHeapBytes),
            1024 * 1024, Long.MAX_VALUE),
        forgetAfter(node));
    policy.endpoint().ifPresent(url -> {
      if (!url.matches("(?i)(wss?|https?)://.+")) {
        throw node.error("endpoint", "'" + url + "' is not a ws, wss, http or https URL");
      }
    });
    policy.packageDownloadUrl().ifPresent(url -> {
      if (!url.matches("(?i)https?://.+")) {
        throw node.error("package_download_url", "'" + url + "' is not an http or https URL");
      }
    });
    node.finish();
    return policy;
  }

  private static List<TokenEntry> tokens(ConfigNode root) {
    ConfigNode auth = root.child("auth");
    List<TokenEntry> tokens = new ArrayList<>();
    JsonNode list = auth.raw("tokens");
    if (!list.isArray() && !(list.isObject() && list.isEmpty())) {
      throw auth.error("tokens", "must be a list of {name, role, sha256}");
    }
    for (int i = 0; i < list.size(); i++) {
      ConfigNode entry = new ConfigNode(auth.path("tokens"), "[" + i + "]", list.get(i),
          new EnvExpander(name -> null), new ArrayList<>());
      String role = entry.required("role");
      if (!ROLES.contains(role)) {
        throw entry.error("role", "'" + role + "' is not viewer, operator or admin");
      }
      String sha256 = entry.required("sha256").toLowerCase();
      if (!sha256.matches("[0-9a-f]{64}")) {
        throw entry.error("sha256", "must be the 64 hex digits of the token's SHA-256 (sha256sum prints it)");
      }
      tokens.add(new TokenEntry(entry.required("name"), role, sha256));
      entry.finish();
    }
    auth.finish();
    return List.copyOf(tokens);
  }

  private static final Pattern REPLICA_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private static Storage storage(ConfigNode node) {
    Storage storage = new Storage(Path.of(node.string("data_dir", "./data")),
        Optional.ofNullable(node.string("jdbc_url", null)).filter(url -> !url.isBlank()),
        node.string("username", ""), node.string("password", ""), node.string("replica_name", defaultReplicaName()));
    if (!REPLICA_NAME.matcher(storage.replicaName()).matches()) {
      throw node.error("replica_name", "'" + storage.replicaName() + "' is not 1 to 64 letters, digits, '.', '_' or '-'");
    }
    storage.jdbcUrl().ifPresent(url -> {
      if (!url.startsWith("jdbc:postgresql:")) {
        throw node.error("jdbc_url", "'" + url + "' is not a PostgreSQL URL (jdbc:postgresql://host:port/db); "
            + "leave it out to use the embedded store in data_dir");
      }
    });
    node.finish();
    return storage;
  }

  /** The host's name (a pod's in Kubernetes) and a few random characters, unique per start. */
  private static String defaultReplicaName() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "server";
    }
    host = host.replaceAll("[^A-Za-z0-9._-]", "");
    String suffix = HexFormat.of().toHexDigits((short) new SecureRandom().nextInt());
    return host.substring(0, Math.min(host.length(), 58)) + "-" + suffix;
  }

  private static Duration retention(ConfigNode node, Duration byDefault) {
    Duration retention = node.positiveDuration("retention", byDefault);
    node.finish();
    return retention;
  }

  private static Optional<Signing> signing(ConfigNode node) {
    if (!node.has("ca_cert_file") && !node.has("ca_key_file")) {
      node.positiveDuration("validity", null);
      node.finish();
      return Optional.empty();
    }
    Signing signing = new Signing(Path.of(node.required("ca_cert_file")), Path.of(node.required("ca_key_file")),
        node.positiveDuration("validity", Duration.ofDays(30)));
    node.finish();
    return Optional.of(signing);
  }

  /** @param listenerBytes the agents' listener's limit: a larger request would be refused before it is counted */
  private static OwnTelemetry ownTelemetry(ConfigNode node, int listenerBytes) {
    boolean toServer = node.bool("to_server", true);
    Optional<External> external = Optional.empty();
    if (node.has("external")) {
      ConfigNode externalNode = node.child("external");
      URI metrics = otlpUrl(externalNode, "endpoint", externalNode.required("endpoint"), "metrics");
      Optional<URI> logs = Optional.ofNullable(externalNode.string("logs_endpoint", null))
          .map(url -> otlpUrl(externalNode, "logs_endpoint", url, "logs"));
      Optional<URI> traces = Optional.ofNullable(externalNode.string("traces_endpoint", null))
          .map(url -> otlpUrl(externalNode, "traces_endpoint", url, "traces"));
      external = Optional.of(new External(metrics, logs, traces, externalNode.stringMap("headers")));
      externalNode.finish();
    }
    OwnTelemetry settings = new OwnTelemetry(toServer, external, node.positiveDuration("window", Duration.ofHours(1)),
        node.integer("samples", 60, 2, 10_000), maxRequestBytes(node, listenerBytes),
        node.integer("requests_per_minute", 12, 1, 60_000));
    node.finish();
    return settings;
  }

  private static int maxRequestBytes(ConfigNode node, int listenerBytes) {
    int bytes = node.integer("max_request_bytes", Math.min(1024 * 1024, listenerBytes), 1024, 64 * 1024 * 1024);
    if (bytes > listenerBytes) {
      throw node.error("max_request_bytes", bytes + " is over opamp::max_message_bytes (" + listenerBytes
          + "), the largest request the agents' listener reads; raise that, or take less here");
    }
    return bytes;
  }

  private static URI otlpUrl(ConfigNode node, String key, String url, String signal) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw node.error(key, "'" + url + "' is not a URL: " + e.getReason());
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
      throw node.error(key, "'" + url + "' is not an http or https URL of an OTLP/HTTP " + signal
          + " endpoint (such as https://otel.example.com:4318/v1/" + signal + ")");
    }
    return uri;
  }

  private static List<String> secretKeys(ConfigNode node) {
    List<String> keys = node.has("secret_keys") ? node.strings("secret_keys")
        : List.of(ServerSettings.DEFAULT_SECRET_KEYS);
    for (String key : keys) {
      try {
        Pattern.compile(key);
      } catch (PatternSyntaxException e) {
        throw node.error("secret_keys", "'" + key + "' is not a regular expression: " + e.getDescription());
      }
    }
    node.finish();
    return keys;
  }

  private static String logFormat(ConfigNode node) {
    String format = node.string("format", "text");
    if (!format.equals("text") && !format.equals("json")) {
      throw node.error("format", "'" + format + "' is not text or json");
    }
    node.finish();
    return format;
  }
}

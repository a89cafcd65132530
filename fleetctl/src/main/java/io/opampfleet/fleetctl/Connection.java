package io.opampfleet.fleetctl;

import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.client.FleetClient;
import io.opampfleet.strictyaml.ConfigException;
import io.opampfleet.strictyaml.YamlFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Which server and token: each from its flag, else the environment, else the config file
 * ({@code ~/.config/opamp-fleet/fleetctl.yaml} or {@code --config}: {@code server:}, {@code token:},
 * {@code ca:}), else the local default server. The flags go anywhere on the line, before or after
 * the command.
 */
final class Connection {
  static final String DEFAULT_SERVER = "http://127.0.0.1:4321";

  @Option(scope = ScopeType.INHERIT, names = "--server", paramLabel = "URL", description = "The server's admin listener"
      + " (env FLEET_SERVER; default " + DEFAULT_SERVER + ")")
  String server;

  @Option(scope = ScopeType.INHERIT, names = "--token", paramLabel = "TOKEN", description = "An API token (env FLEET_TOKEN)")
  String token;

  @Option(scope = ScopeType.INHERIT, names = "--ca", paramLabel = "FILE", description = "The CA that signed an https server's certificate"
      + " (env FLEET_CA; default: the JDK's)")
  Path ca;

  @Option(scope = ScopeType.INHERIT, names = "--settings", paramLabel = "FILE", description = "Settings file (default"
      + " ~/.config/opamp-fleet/fleetctl.yaml, when it exists)")
  Path config;

  FleetClient client(Map<String, String> environment) {
    JsonNode file = settingsFile();
    String url = first(server, environment.get("FLEET_SERVER"), text(file, "server")).orElse(DEFAULT_SERVER);
    String key = first(token, environment.get("FLEET_TOKEN"), text(file, "token")).orElseThrow(() ->
        new UsageException("no token: pass --token, set FLEET_TOKEN, or put token: in the settings file"));
    Optional<String> trust = first(ca == null ? null : ca.toString(), environment.get("FLEET_CA"), text(file, "ca"));
    URI base;
    try {
      base = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new UsageException("the server '" + url + "' is not a URL: " + e.getMessage());
    }
    if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
      throw new UsageException("the server is an http:// or https:// URL, not '" + url + "'");
    }
    return new FleetClient(base, key, trust.map(path -> trusting(Path.of(path))).orElse(null));
  }

  private JsonNode settingsFile() {
    Path file = config;
    if (file == null) {
      Path home = Path.of(System.getProperty("user.home"), ".config", "opamp-fleet", "fleetctl.yaml");
      if (!Files.exists(home)) {
        return null;
      }
      file = home;
    }
    try {
      return YamlFiles.read(file);
    } catch (ConfigException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static Optional<String> text(JsonNode file, String key) {
    return file == null || !file.path(key).isTextual() ? Optional.empty() : Optional.of(file.get(key).asText());
  }

  private static Optional<String> first(String flag, String env, Optional<String> file) {
    if (flag != null && !flag.isBlank()) {
      return Optional.of(flag);
    }
    if (env != null && !env.isBlank()) {
      return Optional.of(env);
    }
    return file;
  }

  /** Trust for a server whose certificate this CA signed, and no other. */
  private static SSLContext trusting(Path caFile) {
    try (InputStream in = Files.newInputStream(caFile)) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (var certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + i++, certificate);
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, trust.getTrustManagers(), null);
      return tls;
    } catch (IOException | GeneralSecurityException e) {
      throw new UsageException("cannot read the CA file " + caFile + ": " + e.getMessage());
    }
  }
}

package io.opampfleet.supervisor.upstream;

import io.opampfleet.proto.Header;
import io.opampfleet.proto.OpAMPConnectionSettings;
import io.opampfleet.strictyaml.ConfigException;
import io.opampfleet.supervisor.config.SupervisorConfig.Server;
import io.opampfleet.supervisor.config.SupervisorConfig.Tls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import io.opampfleet.supervisor.storage.PrivateFiles;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * OpAMP connection settings the server offered and the supervisor took: where to connect, with
 * which headers and client certificate. Unlike the Go supervisor, an accepted offer is kept in the
 * storage directory, so a restarted supervisor comes back with a rotated certificate, not with the
 * one the server refuses since. The private key of a certificate made from our own request is kept
 * next to it, readable by its owner only.
 */
public final class ConnectionOffer {
  static final String SETTINGS_FILE = "last_opamp_connection_settings.dat";
  static final String KEY_FILE = "opamp_client.key";
  /** supervisor.yaml's server::endpoint when the offer was taken: an offer outlives no change of it. */
  static final String CONFIGURED_FILE = "last_opamp_connection_settings.configured_endpoint";

  private ConnectionOffer() {}

  /** The server settings to use: supervisor.yaml's, with an offer taken earlier laid over them. */
  public static Server current(Server configured, Path storage) {
    Path settings = storage.resolve(SETTINGS_FILE);
    try {
      OpAMPConnectionSettings offer = PrivateFiles.read(settings, OpAMPConnectionSettings.parser(), "connection settings");
      if (offer == null) {
        return configured;
      }
      Path configuredThen = storage.resolve(CONFIGURED_FILE);
      if (Files.exists(configuredThen)
          && !Files.readString(configuredThen).strip().equals(configured.endpoint().toString())) {
        // The operator pointed the supervisor elsewhere since: that decides, not what an old server offered.
        PrivateFiles.setAside(settings, "server::endpoint in the supervisor's config changed since the server's offer"
            + " was taken (" + Files.readString(configuredThen).strip() + " then, " + configured.endpoint() + " now)");
        Files.deleteIfExists(configuredThen);
        return configured;
      }
      Path key = storage.resolve(KEY_FILE);
      try {
        return apply(configured, offer, Files.exists(key) ? Files.readString(key) : null);
      } catch (IllegalArgumentException unusable) {
        // supervisor.yaml's server is still there to go back to.
        PrivateFiles.setAside(settings, "the offer it keeps cannot be used: " + unusable.getMessage());
        return configured;
      }
    } catch (IOException | UncheckedIOException e) {
      throw new ConfigException(settings + ": cannot be read: " + e.getMessage());
    }
  }

  /**
   * The server settings an offer makes: its endpoint and headers, and its client certificate with
   * the key it carries or, for a certificate made from our request, {@code requestKeyPem}. The
   * server's CA and TLS options stay those of supervisor.yaml.
   */
  public static Server apply(Server base, OpAMPConnectionSettings offer, String requestKeyPem) {
    if (offer.getDestinationEndpoint().isBlank()) {
      throw new IllegalArgumentException("the offer has no destination endpoint");
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (Header header : offer.getHeaders().getHeadersList()) {
      headers.computeIfAbsent(header.getKey(), k -> new java.util.ArrayList<>()).add(header.getValue());
    }
    Tls tls = base.tls();
    if (offer.hasCertificate()) {
      String key = offer.getCertificate().getPrivateKey().isEmpty() ? requestKeyPem
          : offer.getCertificate().getPrivateKey().toString(StandardCharsets.US_ASCII);
      if (key == null) {
        throw new IllegalArgumentException("the offered certificate comes without its key, and no request of ours made it");
      }
      tls = new Tls(tls.insecure(), tls.insecureSkipVerify(), tls.caFile(), tls.caPem(), "",
          offer.getCertificate().getCert().toString(StandardCharsets.US_ASCII), "", key, tls.minVersion(),
          tls.maxVersion(), tls.serverNameOverride(), tls.reloadInterval(), tls.includeSystemCaCertsPool(),
          tls.rotateBefore());
    } else {
      tls = new Tls(tls.insecure(), tls.insecureSkipVerify(), tls.caFile(), tls.caPem(), "", "", "", "",
          tls.minVersion(), tls.maxVersion(), tls.serverNameOverride(), tls.reloadInterval(),
          tls.includeSystemCaCertsPool(), tls.rotateBefore());
    }
    return new Server(URI.create(offer.getDestinationEndpoint()), headers, tls, base.auth());
  }

  /**
   * Keeps an accepted offer (and the key of our request, when the certificate is ours), with the
   * endpoint supervisor.yaml named then ({@code configured}).
   */
  public static void keep(Path storage, OpAMPConnectionSettings offer, Optional<String> requestKeyPem, URI configured) {
    try {
      PrivateFiles.write(storage.resolve(CONFIGURED_FILE), configured.toString().getBytes(StandardCharsets.UTF_8));
      PrivateFiles.write(storage.resolve(SETTINGS_FILE), offer.toByteArray());
      Path key = storage.resolve(KEY_FILE);
      if (requestKeyPem.isPresent() && offer.getCertificate().getPrivateKey().isEmpty()) {
        PrivateFiles.write(key, requestKeyPem.get().getBytes(StandardCharsets.US_ASCII));
      } else {
        Files.deleteIfExists(key);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the accepted connection settings in " + storage, e);
    }
  }
}

package io.opampfleet.supervisor.upstream;

import io.opampfleet.supervisor.storage.PrivateFiles;
import io.opampfleet.supervisor.config.SupervisorConfig.Server;
import io.opampfleet.supervisor.config.SupervisorConfig.Tls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The upstream TLS settings with every certificate and key in a file: the collector's OTLP exporter
 * takes files only, and a certificate the server offered is held inline. Inline PEMs are written to
 * the storage directory, readable by their owner only.
 */
public final class TlsFiles {
  static final String CA = "collector_upstream_ca";
  static final String CERTIFICATE = "collector_upstream_client";
  static final String KEY = "collector_upstream_key";

  private TlsFiles() {}

  public static Server of(Server server, Path storage) throws IOException {
    Tls tls = server.tls();
    String ca = file(tls.caFile(), tls.caPem(), storage, CA);
    String certificate = file(tls.certFile(), tls.certPem(), storage, CERTIFICATE);
    String key = file(tls.keyFile(), tls.keyPem(), storage, KEY);
    Tls files = new Tls(tls.insecure(), tls.insecureSkipVerify(), ca, "", certificate, "", key, "", tls.minVersion(),
        tls.maxVersion(), tls.serverNameOverride(), tls.reloadInterval(), tls.includeSystemCaCertsPool(),
        tls.rotateBefore());
    return new Server(server.endpoint(), server.headers(), files, server.auth());
  }

  /**
   * The file of an inline PEM, named by a digest of its content: a new certificate makes a new path,
   * so the collector's config changes and it is restarted on it. Older files of the kind are removed.
   */
  private static String file(String file, String pem, Path storage, String kind) throws IOException {
    if (file != null && !file.isEmpty() || pem == null || pem.isEmpty()) {
      return file == null ? "" : file;
    }
    byte[] content = pem.getBytes(StandardCharsets.US_ASCII);
    Path written = storage.resolve(kind + "-" + digest(content) + ".pem");
    try (var others = Files.list(storage)) {
      for (Path other : others.filter(p -> p.getFileName().toString().startsWith(kind + "-")
          && !p.equals(written)).toList()) {
        Files.deleteIfExists(other);
      }
    }
    PrivateFiles.write(written, content);
    return written.toString();
  }

  private static String digest(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

package io.opampfleet.supervisor.upstream;

import io.opampfleet.supervisor.storage.PrivateFiles;
import io.opampfleet.supervisor.config.SupervisorConfig.Server;
import io.opampfleet.supervisor.config.SupervisorConfig.Tls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The upstream TLS settings with every certificate and key in a file: the collector's OTLP exporter
 * takes files only, and a certificate the server offered is held inline. Inline PEMs are written to
 * the storage directory, readable by their owner only.
 */
public final class TlsFiles {
  static final String CA = "collector_upstream_ca.crt";
  static final String CERTIFICATE = "collector_upstream_client.crt";
  static final String KEY = "collector_upstream_client.key";

  private TlsFiles() {}

  public static Server of(Server server, Path storage) throws IOException {
    Tls tls = server.tls();
    String ca = file(tls.caFile(), tls.caPem(), storage.resolve(CA));
    String certificate = file(tls.certFile(), tls.certPem(), storage.resolve(CERTIFICATE));
    String key = file(tls.keyFile(), tls.keyPem(), storage.resolve(KEY));
    Tls files = new Tls(tls.insecure(), tls.insecureSkipVerify(), ca, "", certificate, "", key, "", tls.minVersion(),
        tls.maxVersion(), tls.serverNameOverride(), tls.reloadInterval(), tls.includeSystemCaCertsPool(),
        tls.rotateBefore());
    return new Server(server.endpoint(), server.headers(), files, server.auth());
  }

  private static String file(String file, String pem, Path written) throws IOException {
    if (file != null && !file.isEmpty() || pem == null || pem.isEmpty()) {
      return file == null ? "" : file;
    }
    PrivateFiles.write(written, pem.getBytes(StandardCharsets.US_ASCII));
    return written.toString();
  }
}

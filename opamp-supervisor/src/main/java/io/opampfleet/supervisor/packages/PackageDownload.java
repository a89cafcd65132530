package io.opampfleet.supervisor.packages;

import io.opampfleet.certs.Pem;
import io.opampfleet.proto.DownloadableFile;
import io.opampfleet.proto.Header;
import io.opampfleet.supervisor.config.SupervisorConfig.Tls;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.function.DoubleConsumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Fetches an offered file over HTTP(S) into a local file, hashing it on the way. HTTPS trusts the
 * CA of server::tls, since the package host is the OpAMP server's side.
 */
final class PackageDownload {
  private static final Duration TIMEOUT = Duration.ofMinutes(10);
  private final HttpClient http;

  PackageDownload(Tls tls) {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
        .followRedirects(HttpClient.Redirect.NORMAL);
    if (!tls.caFile().isEmpty() || !tls.caPem().isEmpty()) {
      builder.sslContext(sslContext(tls));
    }
    http = builder.build();
  }

  /** Writes the file to {@code target}; returns its SHA-256. {@code progress} hears the percent done. */
  byte[] fetch(DownloadableFile file, Path target, DoubleConsumer progress) throws IOException, InterruptedException {
    URI uri;
    try {
      uri = URI.create(file.getDownloadUrl());
    } catch (IllegalArgumentException e) {
      throw new IOException("the download URL '" + file.getDownloadUrl() + "' is not a URL");
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET();
    for (Header header : file.getHeaders().getHeadersList()) {
      request.header(header.getKey(), header.getValue());
    }
    HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = response.body()) {
      if (response.statusCode() != 200) {
        throw new IOException("the download from " + uri.getHost() + " answered HTTP " + response.statusCode());
      }
      long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      try (OutputStream out = Files.newOutputStream(target)) {
        byte[] buffer = new byte[64 * 1024];
        long received = 0;
        int lastPercent = -1;
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          out.write(buffer, 0, n);
          sha256.update(buffer, 0, n);
          received += n;
          int percent = length > 0 ? (int) (received * 100 / length) : -1;
          if (percent >= lastPercent + 10) {
            lastPercent = percent;
            progress.accept(percent);
          }
        }
      }
      return sha256.digest();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
    }
  }

  private static SSLContext sslContext(Tls tls) {
    try {
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      List<Object> cas = tls.caFile().isEmpty() ? Pem.parseAll("server::tls::ca_pem", tls.caPem())
          : Pem.readAll(Path.of(tls.caFile()));
      int n = 0;
      for (Object ca : cas) {
        if (ca instanceof X509Certificate certificate) {
          trusted.setCertificateEntry("ca-" + n++, certificate);
        }
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      KeyManagerFactory keys = null;
      if (!tls.certFile().isEmpty()) {
        KeyStore own = KeyStore.getInstance(KeyStore.getDefaultType());
        own.load(null, null);
        X509Certificate[] chain = Pem.readCertificates(Path.of(tls.certFile())).toArray(X509Certificate[]::new);
        PrivateKey key = Pem.readPrivateKey(Path.of(tls.keyFile()));
        own.setKeyEntry("client", key, new char[0], chain);
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(own, new char[0]);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("server::tls cannot be used for package downloads: " + e.getMessage(), e);
    }
  }
}

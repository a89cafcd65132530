package io.opampfleet.supervisor.packages;

import io.opampfleet.proto.DownloadableFile;
import io.opampfleet.proto.Header;
import io.opampfleet.supervisor.config.SupervisorConfig.Tls;
import io.opampfleet.supervisor.upstream.UpstreamTls;
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
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleConsumer;

/**
 * Fetches an offered file over HTTP(S) into a local file, hashing it on the way. HTTPS uses the
 * TLS settings of the OpAMP connection in use, since the package host is the server's side.
 */
final class PackageDownload {
  private static final Duration TIMEOUT = Duration.ofMinutes(10);
  private final HttpClient http;
  private final Duration timeout;

  PackageDownload(Tls tls) {
    this(tls, TIMEOUT);
  }

  /** {@code timeout}: from the request to the body's last byte. */
  PackageDownload(Tls tls, Duration timeout) {
    this.timeout = timeout;
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
        .followRedirects(HttpClient.Redirect.NORMAL);
    http = builder.sslContext(UpstreamTls.jdkContext(tls)).build();
  }

  /** Writes the file to {@code target}; returns its SHA-256. {@code progress} hears the percent done. */
  byte[] fetch(DownloadableFile file, Path target, DoubleConsumer progress) throws IOException, InterruptedException {
    URI uri;
    try {
      uri = URI.create(file.getDownloadUrl());
    } catch (IllegalArgumentException e) {
      throw new IOException("the download URL '" + file.getDownloadUrl() + "' is not a URL");
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
    for (Header header : file.getHeaders().getHeadersList()) {
      request.header(header.getKey(), header.getValue());
    }
    HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    // The request's timeout ends at the response's head; a body that stalls is cut off here instead,
    // by closing it under the read (the JDK's body stream ends a read it blocks on then; it takes no
    // interrupt).
    AtomicBoolean cutOff = new AtomicBoolean();
    CompletableFuture<Void> deadline = CompletableFuture.runAsync(() -> {
      cutOff.set(true);
      closeQuietly(response.body());
    }, CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS));
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
    } catch (IOException e) {
      throw cutOff.get() ? new IOException("the download did not end within " + timeout.toSeconds() + " s") : e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
    } finally {
      deadline.cancel(false);
    }
  }

  private static void closeQuietly(InputStream body) {
    try {
      body.close();
    } catch (IOException e) {
      // Cut off either way.
    }
  }
}

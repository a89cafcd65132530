package io.opampfleet.harness.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** The tests' plain HTTP calls: spans sent as an instrumented service sends them (OTLP/HTTP, JSON), and probes. */
final class PlainHttp {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  private PlainHttp() {}

  /** Sends one span named {@code name}; the HTTP status, or -1 when nothing answers. */
  static int sendSpan(URI collector, String name) {
    long now = System.currentTimeMillis() * 1_000_000;
    String body = """
        {"resourceSpans": [{
          "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "e2e-sender"}}]},
          "scopeSpans": [{"scope": {"name": "e2e"}, "spans": [{
            "traceId": "%s", "spanId": "%s", "name": "%s", "kind": 1,
            "startTimeUnixNano": "%d", "endTimeUnixNano": "%d"}]}]}]}
        """.formatted(random(16), random(8), name, now, now + 1_000_000);
    HttpRequest request = HttpRequest.newBuilder(collector.resolve("/v1/traces"))
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(5))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return send(request);
  }

  /** The status of a GET, or -1 when nothing answers. */
  static int status(URI uri) {
    return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build());
  }

  private static int send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static String random(int bytes) {
    byte[] value = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(value);
    return HexFormat.of().formatHex(value);
  }
}

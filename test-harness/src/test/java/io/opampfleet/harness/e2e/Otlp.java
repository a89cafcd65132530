package io.opampfleet.harness.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Sends telemetry to a collector the way an instrumented service does: OTLP/HTTP with JSON. */
final class Otlp {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  private Otlp() {}

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

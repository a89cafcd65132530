package io.opampfleet.server.internal.telemetry;

import io.opampfleet.server.settings.ServerSettings.External;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes what agents send on to the operator's own OTLP endpoint, when the server receives it too.
 * Best effort and bounded: past {@link #MAX_IN_FLIGHT} requests on their way, a request is dropped
 * and counted rather than queued, so a slow endpoint cannot take the server's memory.
 */
public final class OtlpForwarder {
  private static final Logger log = LoggerFactory.getLogger(OtlpForwarder.class);
  static final int MAX_IN_FLIGHT = 64;

  private final External external;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
  private final LongAdder forwarded = new LongAdder();
  private final LongAdder failed = new LongAdder();

  public OtlpForwarder(External external) {
    this.external = external;
  }

  void forward(byte[] body, String contentType) {
    if (!inFlight.tryAcquire()) {
      failed.increment();
      return;
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(external.endpoint()).timeout(Duration.ofSeconds(10))
        .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    external.headers().forEach(request::header);
    client.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
      inFlight.release();
      if (failure == null && response.statusCode() / 100 == 2) {
        forwarded.increment();
      } else {
        failed.increment();
        if (failed.sum() % 100 == 1) {
          log.warn("forwarding own telemetry to {} failed: {}", external.endpoint(),
              failure != null ? failure.toString() : "HTTP " + response.statusCode());
        }
      }
    });
  }

  public long forwarded() {
    return forwarded.sum();
  }

  /** Requests the external endpoint refused, that failed on the way, or that were dropped. */
  public long failed() {
    return failed.sum();
  }
}

package io.opampfleet.netty.server;

import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Another HTTP path on the OpAMP listener, such as the OTLP receiver for agents' own telemetry: it
 * shares the listener's TLS, balancers, connection limits, request deadline and body limit (after
 * gzip), and runs on the callback executor.
 */
@FunctionalInterface
public interface HttpEndpoint {
  CompletionStage<Answer> handle(Request request);

  /**
   * An answer given on the event loop, before the request is handed to the callback executor: for
   * refusals by headers alone (no identity, a wrong method, the server shedding load), so that a flood
   * of them costs that executor nothing. Empty lets {@link #handle} have the request.
   */
  default Optional<Answer> refusedAtOnce(Request request) {
    return Optional.empty();
  }

  /**
   * One whole request, its body already inflated when it came gzipped.
   *
   * @param peerCertificates the client's chain under mutual TLS (or the balancer's forwarded one), empty otherwise
   */
  record Request(String method, String path, HttpHeaders headers, byte[] body,
      List<X509Certificate> peerCertificates, InetSocketAddress remoteAddress) {}

  /** The answer: a status, a body of the given content type, and a Retry-After when asked to come back later. */
  record Answer(int status, String contentType, byte[] body, Optional<Duration> retryAfter) {
    public static Answer text(int status, String message) {
      return new Answer(status, "text/plain; charset=utf-8",
          (message + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8), Optional.empty());
    }

    public Answer retryAfter(Duration after) {
      return new Answer(status, contentType, body, Optional.of(after));
    }
  }
}

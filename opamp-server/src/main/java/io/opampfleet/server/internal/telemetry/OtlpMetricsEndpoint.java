package io.opampfleet.server.internal.telemetry;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.opampfleet.netty.server.HttpEndpoint;
import io.opampfleet.server.internal.PrintableText;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The OTLP/HTTP receiver for agents' own metrics at {@code /v1/metrics} on the agents' listener:
 * protobuf or JSON, gzipped or not; each request tied to its agent, within the agent's allowance
 * and size limit, read into figures, and forwarded when an external endpoint also takes them.
 */
public final class OtlpMetricsEndpoint implements HttpEndpoint {
  public static final String PATH = "/v1/metrics";
  private static final String PROTOBUF = "application/x-protobuf";
  private static final String JSON = "application/json";
  /** A parser's message may quote the sender's bytes: kept this short. */
  private static final int MAX_REASON = 200;

  private final FleetTelemetry fleet;
  private final TelemetrySenders senders;
  private final int maxRequestBytes;
  private final Optional<OtlpForwarder> forwarder;
  private final LongSupplier clock;
  private final Supplier<Optional<Duration>> shedding;
  private final RequestCounts counts = new RequestCounts();

  /**
   * @param shedding how long to wait before sending again while the server refuses new connections
   *     (a reconnect storm: agents come first, their figures can wait); empty otherwise
   */
  public OtlpMetricsEndpoint(FleetTelemetry fleet, TelemetrySenders senders, int maxRequestBytes,
      Optional<OtlpForwarder> forwarder, LongSupplier clock, Supplier<Optional<Duration>> shedding) {
    this.fleet = fleet;
    this.senders = senders;
    this.maxRequestBytes = maxRequestBytes;
    this.forwarder = forwarder;
    this.clock = clock;
    this.shedding = shedding;
  }

  /** Requests taken and refused since the start, by outcome. */
  public RequestCounts counts() {
    return counts;
  }

  @Override
  public Optional<Answer> refusedAtOnce(Request request) {
    Optional<Answer> refused = byHeaders(request);
    refused.ifPresent(answer -> counts.count(answer.status()));
    return refused;
  }

  @Override
  public CompletionStage<Answer> handle(Request request) {
    Answer answer = byHeaders(request).orElseGet(() -> answer(request));
    counts.count(answer.status());
    return CompletableFuture.completedFuture(answer);
  }

  /** The refusals that need neither the store nor the body's contents. */
  private Optional<Answer> byHeaders(Request request) {
    if (!request.method().equals("POST")) {
      return Optional.of(Answer.text(405, "OTLP/HTTP metrics are a POST to " + PATH));
    }
    String type = request.headers().get("Content-Type", "").toLowerCase();
    if (!type.startsWith(JSON) && !type.startsWith(PROTOBUF)) {
      return Optional.of(Answer.text(415, "send OTLP metrics as " + PROTOBUF + " or " + JSON));
    }
    if (request.body().length > maxRequestBytes) {
      return Optional.of(Answer.text(413, "the request is over the " + maxRequestBytes + " byte limit for own telemetry"));
    }
    Optional<Duration> wait = shedding.get();
    if (wait.isPresent()) {
      return Optional.of(Answer.text(503, "the server is taking reconnecting agents first; retry later")
          .retryAfter(wait.get()));
    }
    return senders.unidentified(request).map(refused -> Answer.text(refused.status(), refused.refusal()));
  }

  private Answer answer(Request request) {
    boolean json = request.headers().get("Content-Type", "").toLowerCase().startsWith(JSON);
    TelemetrySenders.Sender sender = senders.of(request);
    if (!sender.known()) {
      return Answer.text(sender.status(), sender.refusal());
    }
    Optional<Duration> wait = fleet.overAllowance(sender.uid(), clock.getAsLong());
    if (wait.isPresent()) {
      return Answer.text(429, "over this agent's allowance of own-telemetry requests; retry later")
          .retryAfter(wait.get());
    }
    ExportMetricsServiceRequest metrics;
    try {
      metrics = json ? fromJson(request.body()) : ExportMetricsServiceRequest.parseFrom(request.body());
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      return Answer.text(400, "not an OTLP metrics export request: " + PrintableText.of(e.getMessage(), MAX_REASON));
    }
    fleet.record(sender.uid(), OwnMetricsReading.of(metrics), clock.getAsLong());
    forwarder.ifPresent(to -> to.forward(request.body(), json ? JSON : PROTOBUF));
    byte[] body = json ? "{}".getBytes(StandardCharsets.UTF_8)
        : ExportMetricsServiceResponse.getDefaultInstance().toByteArray();
    return new Answer(200, json ? JSON : PROTOBUF, body, Optional.empty());
  }

  private static ExportMetricsServiceRequest fromJson(byte[] body) throws InvalidProtocolBufferException {
    ExportMetricsServiceRequest.Builder builder = ExportMetricsServiceRequest.newBuilder();
    // OTLP/JSON allows fields a newer sender knows and this receiver does not.
    JsonFormat.parser().ignoringUnknownFields().merge(new String(body, StandardCharsets.UTF_8), builder);
    return builder.build();
  }
}

package io.opampfleet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;
import io.opampfleet.peers.JdkClients;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.proto.TelemetryConnectionSettings;
import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.server.settings.ServerSettings.External;
import io.opampfleet.server.settings.ServerSettings.OwnTelemetry;
import io.opampfleet.simulated.OwnMetricsRequests;
import io.opampfleet.simulated.SimulatedAgent;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents' own metrics: offered to agents that report them, received over OTLP/HTTP on the agents'
 * listener from the agent the certificate or credential names and no other, kept, served by the
 * API with the fleet's filters and sorts, and counted in /metrics; bad input is refused with a reason.
 */
class OwnTelemetryIT {
  @TempDir
  Path dir;

  private TestFleet fleet;
  /** Where requests without an offer go. */
  private String receiverUrl;
  private final List<SimulatedAgent> agents = new ArrayList<>();

  @AfterEach
  void stop() {
    agents.forEach(SimulatedAgent::close);
    if (fleet != null) {
      fleet.close();
    }
  }

  @Test
  void anAgentsOwnMetricsOverMutualTlsAreKeptShownFilteredAndCounted() throws Exception {
    fleet = new TestFleet(dir).start();
    SimulatedAgent busy = start(fleet.agent(Map.of(), SimulatedAgent.newUid(), false).reportingOwnMetrics());
    SimulatedAgent quiet = start(fleet.agent(Map.of(), SimulatedAgent.newUid(), false).reportingOwnMetrics());
    TelemetryConnectionSettings offer = offerTo(busy);
    assertThat(offer.getDestinationEndpoint()).isEqualTo("https://localhost:" + fleet.opampPort() + "/v1/metrics");
    assertThat(offer.getHeaders().getHeaders(0).getKey()).isEqualTo("Authorization");
    HttpClient busyClient = JdkClients.http(JdkClients.tls(busy.key(), fleet.ca().certificate()));
    HttpClient quietClient = JdkClients.http(JdkClients.tls(quiet.key(), fleet.ca().certificate()));

    // Two readings ten seconds of uptime apart: 2 CPU seconds, 1,000 items accepted and 50 refused.
    assertThat(post(busyClient, offer, OwnMetricsRequests.reading(10, 1.0, 200e6, 1_000, 0, 900, 0, 100, 1000)).statusCode()).isEqualTo(200);
    assertThat(post(busyClient, offer, OwnMetricsRequests.reading(20, 3.0, 210e6, 2_000, 50, 1_900, 0, 900, 1000)).statusCode()).isEqualTo(200);
    TelemetryConnectionSettings quietOffer = offerTo(quiet);
    assertThat(post(quietClient, quietOffer, OwnMetricsRequests.reading(5, 0.1, 50e6, 10, 0, 10, 0, 0, 1000)).statusCode()).isEqualTo(200);
    // Gzipped, as a collector's otlphttp exporter sends by default.
    assertThat(postGzipped(quietClient, quietOffer, OwnMetricsRequests.reading(15, 0.2, 51e6, 20, 0, 20, 0, 0, 1000)).statusCode()).isEqualTo(200);

    JsonNode figures = fleet.admin(TestFleet.VIEWER).get("/api/v1/agents/" + busy.uid() + "/telemetry").body();
    JsonNode latest = figures.get("latest");
    assertThat(latest.get("cpuPercent").asDouble()).isEqualTo(20.0);
    assertThat(latest.get("rssBytes").asDouble()).isEqualTo(210e6);
    assertThat(latest.get("acceptedPerSecond").asDouble()).isEqualTo(100.0);
    assertThat(latest.get("sentPerSecond").asDouble()).isEqualTo(100.0);
    assertThat(latest.get("droppingData").asBoolean()).isTrue();
    assertThat(latest.get("queueFilling").asBoolean()).isTrue();
    // Within one sample's share of the window (a second here), the later reading takes the sample's place.
    assertThat(figures.get("samples")).hasSizeBetween(1, 2);
    assertThat(figures.get("receivers").get(0).get("name").asText()).isEqualTo("otlp");
    assertThat(figures.get("receivers").get(0).get("refused").asDouble()).isEqualTo(50.0);
    assertThat(figures.get("exporters").get(0).get("queueCapacity").asDouble()).isEqualTo(1000.0);

    assertThat(uids("/api/v1/agents?telemetry=dropping")).containsExactly(busy.uid());
    assertThat(uids("/api/v1/agents?telemetry=queue-filling")).containsExactly(busy.uid());
    assertThat(uids("/api/v1/agents?sort=-cpu")).containsExactly(busy.uid(), quiet.uid());
    assertThat(uids("/api/v1/agents?sort=memory")).containsExactly(quiet.uid(), busy.uid());
    assertThat(fleet.admin(TestFleet.VIEWER).get("/api/v1/agents?telemetry=hot").status()).isEqualTo(400);
    JsonNode row = fleet.admin(TestFleet.VIEWER).get("/api/v1/agents?sort=-cpu").body().get("agents").get(0);
    assertThat(row.get("telemetry").get("cpuPercent").asDouble()).isEqualTo(20.0);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(fleet.admin(TestFleet.VIEWER).get("/metrics").body().asText())
            .contains("opamp_agents_reporting_own_metrics 2\n", "opamp_agents_dropping_data 1\n",
                "opamp_own_metrics_requests_total{status=\"200\"} 4"));
    // The fleet's totals: 20% + 1% of a core, 210 + 51 MB, 100 + 1 items a second each way.
    String metrics = fleet.admin(TestFleet.VIEWER).get("/metrics").body().asText();
    assertThat(gauge(metrics, "opamp_agents_own_cpu_percent")).isCloseTo(21.0, within(1e-6));
    assertThat(gauge(metrics, "opamp_agents_own_resident_bytes")).isCloseTo(261e6, within(1.0));
    assertThat(gauge(metrics, "opamp_agents_own_accepted_items_per_second")).isCloseTo(101.0, within(1e-6));
    assertThat(gauge(metrics, "opamp_agents_own_sent_items_per_second")).isCloseTo(101.0, within(1e-6));
  }

  @Test
  void oneAgentCannotWriteAnothersFiguresAndStrangersAreRefused() throws Exception {
    fleet = new TestFleet(dir).start();
    SimulatedAgent one = start(fleet.agent(Map.of(), SimulatedAgent.newUid(), false).reportingOwnMetrics());
    SimulatedAgent other = start(fleet.agent(Map.of(), SimulatedAgent.newUid(), false).reportingOwnMetrics());
    TelemetryConnectionSettings oneOffer = offerTo(one);
    HttpClient otherClient = JdkClients.http(JdkClients.tls(other.key(), fleet.ca().certificate()));
    HttpClient stranger = JdkClients.http(JdkClients.tls(fleet.clientKey("00000000-0000-7000-8000-00000000dead"),
        fleet.ca().certificate()));
    byte[] body = OwnMetricsRequests.reading(10, 1, 1, 1, 0, 1, 0, 0, 0).toByteArray();

    HttpResponse<String> mismatched = send(otherClient, oneOffer, "application/x-protobuf", body);
    assertThat(mismatched.statusCode()).isEqualTo(403);
    assertThat(mismatched.body()).contains("not the one its agent connects with");
    receiverUrl = oneOffer.getDestinationEndpoint();
    HttpResponse<String> unknown = send(stranger, null, "application/x-protobuf", body);
    assertThat(unknown.statusCode()).isEqualTo(403);
    assertThat(unknown.body()).contains("names no agent");
    HttpResponse<String> forged = send(otherClient, withCredential(oneOffer, one.uid() + ".forged"),
        "application/x-protobuf", body);
    assertThat(forged.statusCode()).isEqualTo(401);
    JsonNode nothingYet = fleet.admin(TestFleet.VIEWER).get("/api/v1/agents/" + one.uid() + "/telemetry").body();
    assertThat(nothingYet.get("latest").isNull()).isTrue();
    assertThat(nothingYet.get("samples")).isEmpty();

    HttpClient oneClient = JdkClients.http(JdkClients.tls(one.key(), fleet.ca().certificate()));
    HttpResponse<String> garbage = send(oneClient, oneOffer, "application/x-protobuf", new byte[] {(byte) 0xff, 1, 2});
    assertThat(garbage.statusCode()).isEqualTo(400);
    assertThat(garbage.body()).startsWith("not an OTLP metrics export request");
    assertThat(send(oneClient, oneOffer, "text/plain", body).statusCode()).isEqualTo(415);
    HttpResponse<String> big = send(oneClient, oneOffer, "application/x-protobuf", new byte[2 * 1024 * 1024]);
    assertThat(big.statusCode()).isEqualTo(413);
    HttpResponse<String> json = send(oneClient, oneOffer, "application/json", """
        {"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"otelcol_process_memory_rss",
         "gauge":{"dataPoints":[{"asInt":"123456"}]}}]}]}],"someFieldFromTheFuture":1}"""
        .getBytes(StandardCharsets.UTF_8));
    assertThat(json.statusCode()).isEqualTo(200);
    assertThat(fleet.admin(TestFleet.VIEWER).get("/api/v1/agents/" + one.uid() + "/telemetry").body()
        .get("latest").get("rssBytes").asDouble()).isEqualTo(123456.0);
  }

  @Test
  void aFloodFromOneAgentIsThrottledWithoutSlowingAnother() throws Exception {
    fleet = new TestFleet(dir).start();
    SimulatedAgent flooding = start(fleet.agent(Map.of(), SimulatedAgent.newUid(), false).reportingOwnMetrics());
    SimulatedAgent calm = start(fleet.agent(Map.of(), SimulatedAgent.newUid(), false).reportingOwnMetrics());
    HttpClient floodClient = JdkClients.http(JdkClients.tls(flooding.key(), fleet.ca().certificate()));
    HttpClient calmClient = JdkClients.http(JdkClients.tls(calm.key(), fleet.ca().certificate()));
    TelemetryConnectionSettings floodOffer = offerTo(flooding);
    byte[] body = OwnMetricsRequests.reading(10, 1, 1, 1, 0, 1, 0, 0, 0).toByteArray();

    List<HttpResponse<String>> answers = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      answers.add(send(floodClient, floodOffer, "application/x-protobuf", body));
    }
    HttpResponse<String> calmAnswer = send(calmClient, offerTo(calm), "application/x-protobuf", body);

    assertThat(answers).filteredOn(a -> a.statusCode() == 429).isNotEmpty()
        .allSatisfy(a -> assertThat(a.headers().firstValue("Retry-After")).isPresent());
    assertThat(calmAnswer.statusCode()).isEqualTo(200);
  }

  @Test
  void duringAReconnectStormOwnMetricsWaitAndThenAreTakenAgain() throws Exception {
    fleet = new TestFleet(dir).withNewConnectionsPerSecond(1).start();
    SimulatedAgent agent = start(fleet.agent(Map.of(), SimulatedAgent.newUid(), false).reportingOwnMetrics());
    HttpClient client = JdkClients.http(JdkClients.tls(agent.key(), fleet.ca().certificate()));
    TelemetryConnectionSettings offer = offerTo(agent);
    byte[] body = OwnMetricsRequests.reading(10, 1, 1, 1, 0, 1, 0, 0, 0).toByteArray();

    // New agents arriving faster than the server takes them: some are deferred.
    URI opamp = URI.create(fleet.opampEndpoint().toString().replaceFirst("^wss:", "https:"));
    List<Integer> arrivals = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ByteString uid = SimulatedAgent.newUid();
      arrivals.add(client.send(HttpRequest.newBuilder(opamp).header("Content-Type", "application/x-protobuf")
          .header(io.opampfleet.netty.InstanceUid.HEADER, io.opampfleet.netty.InstanceUid.text(uid))
          .POST(HttpRequest.BodyPublishers.ofByteArray(AgentToServer.newBuilder().setInstanceUid(uid).build().toByteArray()))
          .build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    }
    HttpResponse<String> meanwhile = send(client, offer, "application/x-protobuf", body);

    assertThat(arrivals).contains(503);
    assertThat(meanwhile.statusCode()).isEqualTo(503);
    assertThat(meanwhile.body()).contains("reconnecting agents first");
    assertThat(meanwhile.headers().firstValue("Retry-After")).isPresent();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500))
        .until(() -> send(client, offer, "application/x-protobuf", body).statusCode() == 200);
  }

  @Test
  void withoutClientCertificatesTheOfferedCredentialNamesTheAgent() throws Exception {
    fleet = new TestFleet(dir).withPlainAgents().start();
    receiverUrl = "http://127.0.0.1:" + fleet.opampPort() + "/v1/metrics";
    SimulatedAgent agent = start(fleet.agent(Map.of(), SimulatedAgent.newUid(), false).reportingOwnMetrics());
    TelemetryConnectionSettings offer = offerTo(agent);
    assertThat(offer.getDestinationEndpoint()).isEqualTo("http://127.0.0.1:" + fleet.opampPort() + "/v1/metrics");
    HttpClient plain = JdkClients.http(null);
    byte[] body = OwnMetricsRequests.reading(10, 1, 7e6, 1, 0, 1, 0, 0, 0).toByteArray();

    assertThat(send(plain, null, "application/x-protobuf", body).statusCode()).isEqualTo(401);
    assertThat(send(plain, withCredential(offer, "x".repeat(300)), "application/x-protobuf", body).statusCode())
        .isEqualTo(401);
    assertThat(send(plain, offer, "application/x-protobuf", body).statusCode()).isEqualTo(200);
    assertThat(fleet.admin(TestFleet.VIEWER).get("/api/v1/agents/" + agent.uid() + "/telemetry").body()
        .get("latest").get("rssBytes").asDouble()).isEqualTo(7e6);
  }

  @Test
  void withAnExternalEndpointTooTheServerForwardsWhatItReceivesAndLogsAreOfferedThere() throws Exception {
    List<String> forwarded = new CopyOnWriteArrayList<>();
    HttpServer external = externalEndpoint(forwarded);
    try {
      String base = "http://127.0.0.1:" + external.getAddress().getPort();
      fleet = new TestFleet(dir).withOwnTelemetry(new OwnTelemetry(true, Optional.of(new External(
          URI.create(base + "/v1/metrics"), Optional.of(URI.create(base + "/v1/logs")), Optional.empty(),
          Map.of("X-Api-Key", "k-123"))), Duration.ofMinutes(2), 120, 1024 * 1024, 600)).start();
      SimulatedAgent agent = start(fleet.agent(Map.of(), SimulatedAgent.newUid(), false).reportingOwnMetrics()
          .reportingOwnLogs());
      offerTo(agent);
      var offers = agent.received.stream().filter(m -> m.getConnectionSettings().hasOwnMetrics()).findFirst()
          .orElseThrow().getConnectionSettings();
      assertThat(offers.getOwnMetrics().getDestinationEndpoint()).endsWith(":" + fleet.opampPort() + "/v1/metrics");
      assertThat(offers.getOwnLogs().getDestinationEndpoint()).isEqualTo(base + "/v1/logs");
      assertThat(offers.getOwnLogs().getHeaders().getHeaders(0).getValue()).isEqualTo("k-123");
      assertThat(offers.hasOwnTraces()).isFalse();

      byte[] body = OwnMetricsRequests.reading(10, 1, 9e6, 1, 0, 1, 0, 0, 0).toByteArray();
      assertThat(agent.sendOwnMetrics(OwnMetricsRequests.reading(10, 1, 9e6, 1, 0, 1, 0, 0, 0)).statusCode())
          .isEqualTo(200);

      await().atMost(Duration.ofSeconds(10)).until(() -> !forwarded.isEmpty());
      assertThat(forwarded).containsExactly("/v1/metrics k-123 application/x-protobuf " + body.length);
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(fleet.admin(TestFleet.VIEWER).get("/metrics").body().asText())
              .contains("opamp_own_metrics_forwarded_total 1\n"));
    } finally {
      external.stop(0);
    }
  }

  @Test
  void withTheExternalEndpointAloneAgentsAreSentThereAndTheServerTakesNone() throws Exception {
    fleet = new TestFleet(dir).withOwnTelemetry(new OwnTelemetry(false, Optional.of(new External(
        URI.create("https://otel.example:4318/v1/metrics"), Optional.empty(), Optional.empty(),
        Map.of("X-Api-Key", "k-9"))), Duration.ofMinutes(2), 120, 1024 * 1024, 600)).start();
    SimulatedAgent agent = start(fleet.agent(Map.of(), SimulatedAgent.newUid(), false).reportingOwnMetrics());

    TelemetryConnectionSettings offer = offerTo(agent);

    assertThat(offer.getDestinationEndpoint()).isEqualTo("https://otel.example:4318/v1/metrics");
    assertThat(offer.getHeaders().getHeaders(0).getKey()).isEqualTo("X-Api-Key");
    receiverUrl = "https://localhost:" + fleet.opampPort() + "/v1/metrics";
    HttpClient client = JdkClients.http(JdkClients.tls(agent.key(), fleet.ca().certificate()));
    assertThat(send(client, null, "application/x-protobuf", new byte[0]).statusCode()).isEqualTo(404);
  }

  private static HttpServer externalEndpoint(List<String> received) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      received.add(exchange.getRequestURI().getPath() + " " + exchange.getRequestHeaders().getFirst("X-Api-Key") + " "
          + exchange.getRequestHeaders().getFirst("Content-Type") + " " + body.length);
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();
    return server;
  }

  private SimulatedAgent start(SimulatedAgent agent) {
    agents.add(agent);
    return agent.start();
  }

  private static TelemetryConnectionSettings offerTo(SimulatedAgent agent) {
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.received.stream()
        .anyMatch(m -> m.getConnectionSettings().hasOwnMetrics()));
    return agent.received.stream().filter(m -> m.getConnectionSettings().hasOwnMetrics()).findFirst()
        .map(ServerToAgent::getConnectionSettings).orElseThrow().getOwnMetrics();
  }

  private static TelemetryConnectionSettings withCredential(TelemetryConnectionSettings offer, String credential) {
    TelemetryConnectionSettings.Builder changed = offer.toBuilder();
    changed.getHeadersBuilder().getHeadersBuilder(0).setValue("Bearer " + credential);
    return changed.build();
  }

  private List<String> uids(String path) {
    List<String> uids = new ArrayList<>();
    fleet.admin(TestFleet.VIEWER).get(path).body().get("agents").forEach(row -> uids.add(row.get("uid").asText()));
    return uids;
  }

  private HttpResponse<String> post(HttpClient client, TelemetryConnectionSettings offer,
      ExportMetricsServiceRequest request) throws Exception {
    return send(client, offer, "application/x-protobuf", request.toByteArray());
  }

  private HttpResponse<String> postGzipped(HttpClient client, TelemetryConnectionSettings offer,
      ExportMetricsServiceRequest request) throws Exception {
    ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gzipped)) {
      request.writeTo(out);
    }
    return send(client, offer, "application/x-protobuf", gzipped.toByteArray(), Optional.of("gzip"));
  }

  private HttpResponse<String> send(HttpClient client, TelemetryConnectionSettings offer, String type, byte[] body)
      throws Exception {
    return send(client, offer, type, body, Optional.empty());
  }

  /** A POST to the offered endpoint with its headers; without an offer, to this fleet's receiver with none. */
  private HttpResponse<String> send(HttpClient client, TelemetryConnectionSettings offer, String type, byte[] body,
      Optional<String> encoding) throws Exception {
    String endpoint = offer != null ? offer.getDestinationEndpoint() : receiverUrl;
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint)).header("Content-Type", type)
        .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    encoding.ifPresent(coding -> request.header("Content-Encoding", coding));
    if (offer != null) {
      offer.getHeaders().getHeadersList().forEach(h -> request.header(h.getKey(), h.getValue()));
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static double gauge(String metrics, String name) {
    Matcher value = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(metrics);
    assertThat(value.find()).as(name + " in /metrics").isTrue();
    return Double.parseDouble(value.group(1));
  }
}

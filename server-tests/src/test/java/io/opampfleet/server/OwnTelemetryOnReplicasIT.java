package io.opampfleet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.proto.TelemetryConnectionSettings;
import io.opampfleet.server.fleet.SharedStore;
import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.simulated.OwnMetricsRequests;
import io.opampfleet.simulated.SimulatedAgent;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two servers on one PostgreSQL: an agent's own metrics reach whichever server the balancer picks,
 * every server shows the same figures, and the window goes on from one server to the other, also
 * when the requests alternate between them.
 */
class OwnTelemetryOnReplicasIT {
  @RegisterExtension
  final SharedStore store = new SharedStore(TestFleet::withPlainAgents);

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void figuresOneServerReceivedAreShownByBothAndTheWindowGoesOnAtTheOther() throws Exception {
    try (SimulatedAgent agent = store.a().agent(Map.of(), SimulatedAgent.newUid(), false).reportingOwnMetrics()
        .start()) {
      await().atMost(Duration.ofSeconds(10)).until(() -> agent.received.stream()
          .anyMatch(m -> m.getConnectionSettings().hasOwnMetrics()));
      TelemetryConnectionSettings offer = agent.received.stream()
          .filter(m -> m.getConnectionSettings().hasOwnMetrics()).findFirst().orElseThrow()
          .getConnectionSettings().getOwnMetrics();

      // The credential server A offered is good at B: the servers share its key through the store.
      assertThat(post(store.b(), offer, OwnMetricsRequests.reading(10, 1, 50e6, 100, 0, 100, 0, 0, 0))).isEqualTo(200);
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        for (TestFleet server : new TestFleet[] {store.a(), store.b()}) {
          JsonNode figures = server.admin(TestFleet.VIEWER).get("/api/v1/agents/" + agent.uid() + "/telemetry").body();
          assertThat(figures.path("latest").path("rssBytes").asDouble()).isEqualTo(50e6);
        }
      });
      Thread.sleep(1_100);
      // The next request reaches A, which goes on from B's window: rates over the two readings.
      assertThat(post(store.a(), offer, OwnMetricsRequests.reading(20, 3, 60e6, 1_100, 20, 1_100, 0, 0, 0)))
          .isEqualTo(200);

      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        for (TestFleet server : new TestFleet[] {store.a(), store.b()}) {
          JsonNode figures = server.admin(TestFleet.VIEWER).get("/api/v1/agents/" + agent.uid() + "/telemetry").body();
          assertThat(figures.path("samples")).hasSize(2);
          assertThat(figures.path("latest").path("cpuPercent").asDouble()).isEqualTo(20.0);
          assertThat(figures.path("latest").path("acceptedPerSecond").asDouble()).isEqualTo(100.0);
          assertThat(figures.path("latest").path("droppingData").asBoolean()).isTrue();
          JsonNode dropping = server.admin(TestFleet.VIEWER).get("/api/v1/agents?telemetry=dropping").body();
          assertThat(dropping.get("total").asInt()).isEqualTo(1);
          assertThat(server.admin(TestFleet.VIEWER).get("/metrics").body().asText())
              .contains("opamp_agents_dropping_data 1\n");
        }
      });

      // A balancer that alternates: B, which last saw the first reading, goes on from A's later window.
      Thread.sleep(1_100);
      assertThat(post(store.b(), offer, OwnMetricsRequests.reading(30, 5, 70e6, 2_100, 20, 2_100, 0, 0, 0)))
          .isEqualTo(200);
      awaitSamples(agent, 3);
      Thread.sleep(1_100);
      assertThat(post(store.a(), offer, OwnMetricsRequests.reading(40, 7, 80e6, 3_100, 20, 3_100, 0, 0, 0)))
          .isEqualTo(200);
      awaitSamples(agent, 4);
    }
  }

  /** Both servers show the agent's window with this many samples, the latest at the latest reading's rate. */
  private void awaitSamples(SimulatedAgent agent, int samples) {
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      for (TestFleet server : new TestFleet[] {store.a(), store.b()}) {
        JsonNode figures = server.admin(TestFleet.VIEWER).get("/api/v1/agents/" + agent.uid() + "/telemetry").body();
        assertThat(figures.path("samples")).hasSize(samples);
        assertThat(figures.path("latest").path("acceptedPerSecond").asDouble()).isEqualTo(100.0);
      }
    });
  }

  private int post(TestFleet server, TelemetryConnectionSettings offer, ExportMetricsServiceRequest request)
      throws Exception {
    HttpRequest.Builder post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.opampPort()
            + "/v1/metrics")).header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray()));
    offer.getHeaders().getHeadersList().forEach(header -> post.header(header.getKey(), header.getValue()));
    return http.send(post.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}

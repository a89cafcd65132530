package io.opampfleet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.opampfleet.server.fleet.AdminClient.Answer;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.simulated.SimulatedAgent;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API's contract: who may call what, and how bad input is refused. */
class AdminApiIT {
  @TempDir
  static Path dir;
  private static TestFleet fleet;
  private static SimulatedAgent agent;

  @BeforeAll
  static void start() {
    fleet = new TestFleet(dir).start();
    ByteString uid = SimulatedAgent.newUid();
    agent = fleet.agent(Map.of("service.name", "api", "env", "prod"), uid, false).start();
    await().atMost(Duration.ofSeconds(20)).until(() -> fleet.admin(TestFleet.VIEWER).get("/api/v1/agents?connected=true")
        .body().get("total").asInt() == 1);
  }

  @AfterAll
  static void stop() {
    agent.close();
    fleet.close();
  }

  @Test
  void onlyHealthAndReadinessAreOpen() {
    AdminClient anonymous = fleet.admin(null);

    assertThat(anonymous.get("/healthz").status()).isEqualTo(200);
    assertThat(anonymous.get("/readyz").status()).isEqualTo(200);
    Answer refused = anonymous.get("/api/v1/agents");
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.body().get("error").asText()).contains("Authorization: Bearer");
    assertThat(anonymous.get("/metrics").status()).isEqualTo(401);
    assertThat(anonymous.get("/api/v1/openapi.json").status()).isEqualTo(401);
  }

  @Test
  void anUnknownTokenIsRefused() {
    Answer refused = fleet.admin("not-a-token").get("/api/v1/agents");

    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.body().get("error").asText()).contains("token is not known");
  }

  @Test
  void aViewerReadsButMayNotChangeTheFleet() {
    AdminClient viewer = fleet.admin(TestFleet.VIEWER);

    assertThat(viewer.get("/api/v1/agents").status()).isEqualTo(200);
    Answer refused = viewer.post("/api/v1/configs/web/versions", Map.of("body", "receivers: {}\n"));
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.body().get("error").asText()).isEqualTo(
        "token 'test-viewer' is a viewer; this call needs the operator role");
    assertThat(fleet.admin(TestFleet.OPERATOR).get("/api/v1/tokens").status()).isEqualTo(403);
    assertThat(fleet.admin(TestFleet.ADMIN).get("/api/v1/tokens").status()).isEqualTo(200);
  }

  @Test
  void aTokenMadeByAnAdminWorksWithItsRole() {
    Answer made = fleet.admin(TestFleet.ADMIN).post("/api/v1/tokens", Map.of("name", "ci", "role", "viewer"));
    assertThat(made.status()).isEqualTo(201);
    AdminClient ci = fleet.admin(made.body().get("token").asText());

    assertThat(ci.get("/api/v1/agents").status()).isEqualTo(200);
    assertThat(ci.post("/api/v1/rollouts", Map.of()).status()).isEqualTo(403);
    assertThat(fleet.admin(TestFleet.ADMIN).delete("/api/v1/tokens/ci").status()).isEqualTo(200);
    assertThat(ci.get("/api/v1/agents").status()).isEqualTo(401);
  }

  @Test
  void aConfigVersionThatIsNotYamlIsRefusedWithLineAndColumn() {
    Answer refused = fleet.admin(TestFleet.OPERATOR).post("/api/v1/configs/broken/versions",
        Map.of("body", "receivers:\n  otlp:\n    protocols: [grpc\nexporters: {}\n"));

    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.body().get("line").asInt()).isEqualTo(4);
    assertThat(refused.body().get("column").asInt()).isGreaterThan(0);
    assertThat(refused.body().get("error").asText()).startsWith("the config is not valid YAML at line 4, column ");
    assertThat(fleet.admin(TestFleet.OPERATOR).get("/api/v1/configs/broken/versions").status()).isEqualTo(404);
  }

  @Test
  void stagesTooLongForTheStoreAreRefusedInTheApisOwnWords() {
    fleet.admin(TestFleet.OPERATOR).post("/api/v1/configs/staged/versions", Map.of("body", "receivers: {}\n"));
    // Each selector is within its own limit of 2,000 characters; the 50 of them together are not.
    List<Map<String, String>> stages = IntStream.range(0, 50).mapToObj(stage -> Map.of("selector", "env in ("
        + IntStream.range(0, 200).mapToObj(value -> stage + "-" + value).collect(Collectors.joining(",")) + ")",
        "bake", "1s")).toList();

    Answer refused = fleet.admin(TestFleet.OPERATOR).post("/api/v1/rollouts",
        Map.of("config", "staged", "version", 1, "stages", stages));

    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.body().get("error").asText())
        .startsWith("a rollout's stages take at most 20,000 characters together").doesNotContainIgnoringCase("varying");
  }

  @Test
  void aMalformedSelectorIsRefusedWithItsColumn() {
    Answer refused = fleet.admin(TestFleet.VIEWER).get("/api/v1/agents?selector=env%20in%20(prod");

    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.body().get("error").asText()).contains("at column 13");
  }

  @Test
  void versionsAreNumberedAndDiffed() {
    AdminClient operator = fleet.admin(TestFleet.OPERATOR);
    operator.post("/api/v1/configs/diffed/versions", Map.of("body", "a: 1\nb: 2\n"));
    Answer second = operator.post("/api/v1/configs/diffed/versions", Map.of("body", "a: 1\nb: 3\n", "comment", "b up"));
    assertThat(second.body().get("version").asInt()).isEqualTo(2);
    assertThat(second.body().get("author").asText()).isEqualTo("test-operator");

    JsonNode diff = operator.get("/api/v1/configs/diffed/diff?from=1&to=2").body();

    assertThat(diff.get("unified").asText()).isEqualTo("--- diffed@1\n+++ diffed@2\n@@ -1,2 +1,2 @@\n a: 1\n-b: 2\n+b: 3\n");
    assertThat(diff.get("summary").get("added").asInt()).isEqualTo(1);
  }

  @Test
  void anAgentMatchedByTwoAssignmentsIsAConflictAndGetsNeither() {
    AdminClient operator = fleet.admin(TestFleet.OPERATOR);
    operator.post("/api/v1/configs/assigned/versions", Map.of("body", "a: 1\n"));
    assertThat(operator.put("/api/v1/assignments/prod", Map.of("selector", "env=prod", "config", "assigned",
        "version", 1)).body().get("applied").asInt()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.running().equals("a: 1\n"));

    operator.post("/api/v1/configs/assigned/versions", Map.of("body", "a: 2\n"));
    Answer second = operator.put("/api/v1/assignments/api", Map.of("selector", "service.name in (api)",
        "config", "assigned", "version", 2));

    assertThat(second.body().get("applied").asInt()).isEqualTo(0);
    JsonNode conflicts = operator.get("/api/v1/conflicts").body();
    assertThat(conflicts.get(0).get("uid").asText()).isEqualTo(agent.uid());
    assertThat(conflicts.get(0).get("assignments").toString()).contains("prod", "api");
    assertThat(agent.running()).isEqualTo("a: 1\n");
    operator.delete("/api/v1/assignments/api");
    operator.delete("/api/v1/assignments/prod");
  }

  @Test
  void aRestartIsSentToAnAgentThatAcceptsIt() {
    Answer sent = fleet.admin(TestFleet.OPERATOR).post("/api/v1/agents/" + agent.uid() + "/restart", Map.of());

    assertThat(sent.status()).isEqualTo(201);
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.received.stream().anyMatch(m -> m.hasCommand()));
  }

  @Test
  void metricsCountTheConnectedAgents() {
    String metrics = fleet.admin(TestFleet.VIEWER).get("/metrics").body().asText();

    assertThat(metrics).contains("# TYPE opamp_agents_connected gauge\nopamp_agents_connected 1\n");
    assertThat(metrics).contains("opamp_store_queue_depth ", "opamp_messages_received_total ", "opamp_message_bytes_in_hand ");
  }

  @Test
  void aPageFarPastTheEndIsEmptyAndAParameterGivenTwiceIsRefused() {
    Answer far = fleet.admin(TestFleet.VIEWER).get("/api/v1/agents?page=2147483647&size=1000");
    assertThat(far.status()).isEqualTo(200);
    assertThat(far.body().get("agents")).isEmpty();
    assertThat(far.body().get("total").asInt()).isEqualTo(1);

    Answer twice = fleet.admin(TestFleet.VIEWER).get("/api/v1/agents?size=5&size=6");
    assertThat(twice.status()).isEqualTo(400);
    assertThat(twice.body().get("error").asText()).isEqualTo("query parameter 'size' is given 2 times; give it once");
    assertThat(fleet.admin(TestFleet.VIEWER).get("/api/v1/agents?connected=").status()).isEqualTo(400);
  }

  @Test
  void aMethodAPathDoesNotTakeIsRefusedNamingTheOnesItDoes() throws Exception {
    HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            fleet.adminUrl().resolve("/api/v1/rollouts")).method("TRACE", HttpRequest.BodyPublishers.noBody())
        .header("Authorization", "Bearer " + TestFleet.VIEWER).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(answer.statusCode()).isEqualTo(405);
    assertThat(answer.headers().firstValue("Allow")).contains("GET, POST");
    assertThat(answer.body()).contains("TRACE is not supported on /api/v1/rollouts; it takes GET, POST");
  }

  @Test
  void everyRouteIsInTheOpenApiDocument() {
    JsonNode paths = fleet.admin(TestFleet.VIEWER).get("/api/v1/openapi.json").body().get("paths");

    assertThat(paths).as("openapi.json has paths").isNotNull();
    for (var route : fleet.server().routes()) {
      JsonNode path = paths.get(route.template());
      assertThat(path).as("openapi.json describes " + route.template()).isNotNull();
      assertThat(path.get(route.method().toLowerCase())).as("openapi.json describes " + route.method() + " "
          + route.template()).isNotNull();
    }
    for (Iterator<String> documented = paths.fieldNames(); documented.hasNext(); ) {
      String path = documented.next();
      // The document, the probes, the metrics and the downloads are answered before any route.
      assertThat(fleet.server().routes().stream().anyMatch(r -> r.template().equals(path))
          || List.of("/api/v1/openapi.json", "/healthz", "/readyz", "/metrics", "/downloads/{secret}").contains(path))
          .as(path + " is a route").isTrue();
    }
  }
}

package io.opampfleet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.server.fleet.AdminClient.Answer;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.RolloutSteps;
import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.simulated.SimulatedAgent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Packages the server hosts: uploaded, offered to an agent, downloaded by it, its status tracked. */
class PackagesIT {
  @TempDir
  Path dir;
  private TestFleet fleet;
  private SimulatedAgent agent;

  @BeforeEach
  void start() {
    fleet = new TestFleet(dir).start();
    agent = fleet.agent(Map.of("service.name", "packaged"), SimulatedAgent.newUid(), false).start();
    await().atMost(Duration.ofSeconds(20)).until(() -> fleet.admin(TestFleet.VIEWER).get("/api/v1/agents?connected=true")
        .body().get("total").asInt() == 1);
  }

  @AfterEach
  void stop() {
    agent.close();
    fleet.close();
  }

  @Test
  void anOfferedPackageIsDownloadedAndReportedInstalled() {
    byte[] content = "#!/bin/sh\necho otelcol 2.0\n".getBytes(StandardCharsets.UTF_8);
    Answer uploaded = fleet.admin(TestFleet.ADMIN).post("/api/v1/packages", Map.of("name", "otelcol",
        "version", "2.0.0", "content", Base64.getEncoder().encodeToString(content)));
    assertThat(uploaded.status()).as(uploaded.body().toString()).isEqualTo(201);

    AdminClient operator = fleet.admin(TestFleet.OPERATOR);
    assertThat(operator.post("/api/v1/agents/" + agent.uid() + "/packages",
        Map.of("name", "otelcol", "version", "2.0.0")).status()).isEqualTo(201);

    await().atMost(Duration.ofSeconds(20)).until(() -> agent.installed.containsKey("otelcol"));
    assertThat(agent.installed.get("otelcol")).isEqualTo(content);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(operator.get("/api/v1/agents/"
        + agent.uid()).body().get("packages")).hasSize(1));
    JsonNode status = operator.get("/api/v1/agents/" + agent.uid()).body().get("packages").get(0);
    assertThat(status.get("name").asText()).isEqualTo("otelcol");
    assertThat(status.get("agentHasVersion").asText()).isEqualTo("2.0.0");
    assertThat(status.get("status").asText()).isEqualTo("Installed");
  }

  @Test
  void aPackageRolloutTakesAgentsWithAVersionToGoBackToAndHoldsThemUntilItEnds() {
    AdminClient admin = fleet.admin(TestFleet.ADMIN);
    AdminClient operator = fleet.admin(TestFleet.OPERATOR);
    for (String version : List.of("1.0.0", "2.0.0")) {
      assertThat(admin.post("/api/v1/packages", Map.of("name", "otelcol", "version", version, "content",
          Base64.getEncoder().encodeToString(("otelcol " + version).getBytes(StandardCharsets.UTF_8)))).status())
          .isEqualTo(201);
    }
    Map<String, Object> plan = new java.util.HashMap<>(Map.of("selector", "service.name=packaged", "bake", "2s",
        "applyTimeout", "20s", "package", Map.of("name", "otelcol", "version", "2.0.0")));

    Answer noWayBack = operator.post("/api/v1/rollouts", plan);
    assertThat(noWayBack.status()).isEqualTo(422);
    assertThat(noWayBack.body().get("error").asText()).contains("1 matched agents run no package version the server"
        + " hosts, so could not go back", "give \"from\" the hosted version they run");
    assertThat(operator.post("/api/v1/rollouts", Map.of("package", Map.of("name", "otelcol", "version", "9")))
        .body().get("error").asText()).isEqualTo("there is no package otelcol@9; upload it with POST"
        + " /api/v1/packages/file first");

    plan.put("package", Map.of("name", "otelcol", "version", "2.0.0", "from", "1.0.0"));
    JsonNode started = operator.post("/api/v1/rollouts", plan).body();
    assertThat(started.get("packageName").asText()).isEqualTo("otelcol");
    assertThat(started.get("config").isNull()).isTrue();
    assertThat(operator.post("/api/v1/agents/" + agent.uid() + "/packages", Map.of("name", "otelcol",
        "version", "1.0.0")).status()).as("held by the rollout").isEqualTo(409);
    JsonNode done = new RolloutSteps(operator).awaitEnd(started.get("id").asLong());

    assertThat(done.get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(done.get("reason").asText()).isEqualTo("1 of 1 agents run package otelcol@2.0.0");
    assertThat(new String(agent.installed.get("otelcol"), StandardCharsets.UTF_8)).isEqualTo("otelcol 2.0.0");
    JsonNode history = operator.get("/api/v1/agents/" + agent.uid() + "/rollouts").body();
    assertThat(history.get(0).get("offered").asText()).isEqualTo("package otelcol@2.0.0");
  }

  @Test
  void onlyTheSecretUrlDownloadsAPackageAndVersionsAreImmutable() {
    AdminClient admin = fleet.admin(TestFleet.ADMIN);
    Map<String, String> upload = Map.of("name", "addon", "version", "1", "type", "addon",
        "content", Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}));
    String url = admin.post("/api/v1/packages", upload).body().get("downloadUrl").asText();

    assertThat(url).contains("/downloads/");
    assertThat(fleet.admin(null).get("/downloads/not-the-token").status()).isEqualTo(404);
    assertThat(fleet.admin(null).get("/downloads/%00%0A" + "x".repeat(3000)).status())
        .as("what no token can be is not looked up").isEqualTo(404);
    assertThat(admin.post("/api/v1/packages", upload).status()).isEqualTo(409);
    assertThat(fleet.admin(TestFleet.OPERATOR).post("/api/v1/packages", upload).status()).isEqualTo(403);
  }

  @Test
  void aLargeFileIsUploadedRawByAnAdminOnlyAndDownloadedWhole() throws Exception {
    byte[] content = new byte[6 * 1024 * 1024];
    new java.util.Random(7).nextBytes(content);
    Path file = java.nio.file.Files.write(dir.resolve("otelcol.tar.gz"), content);
    byte[] signature = {1, 2, (byte) 0xfb, (byte) 0xff};

    Answer refused = fleet.admin(TestFleet.OPERATOR).upload("/api/v1/packages/file?version=3", file);
    assertThat(refused.status()).isEqualTo(413);
    assertThat(refused.body().get("error").asText()).contains("larger than 4 MiB");

    Answer uploaded = fleet.admin(TestFleet.ADMIN).upload("/api/v1/packages/file?name=otelcol&version=3&signature="
        + Base64.getUrlEncoder().encodeToString(signature), file);
    assertThat(uploaded.status()).as(uploaded.body().toString()).isEqualTo(201);
    assertThat(uploaded.body().get("sha256").asText()).isEqualTo(io.opampfleet.server.internal.configs.ConfigVersion.sha256(content));
    assertThat(uploaded.body().get("signed").asBoolean()).isTrue();

    java.net.http.HttpResponse<byte[]> download = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(uploaded.body().get("downloadUrl").asText())).build(),
        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(download.body()).isEqualTo(content);
    assertThat(fleet.admin(TestFleet.ADMIN).upload("/api/v1/packages/file?name=otelcol", file).status()).isEqualTo(400);
  }
}

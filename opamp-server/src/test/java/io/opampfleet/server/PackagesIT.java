package io.opampfleet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.AdminClient.Answer;
import io.opampfleet.server.fleet.SimulatedAgent;
import io.opampfleet.server.fleet.TestFleet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
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
  void onlyTheSecretUrlDownloadsAPackageAndVersionsAreImmutable() {
    AdminClient admin = fleet.admin(TestFleet.ADMIN);
    Map<String, String> upload = Map.of("name", "addon", "version", "1", "type", "addon",
        "content", Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}));
    String url = admin.post("/api/v1/packages", upload).body().get("downloadUrl").asText();

    assertThat(url).contains("/downloads/");
    assertThat(fleet.admin(null).get("/downloads/not-the-token").status()).isEqualTo(404);
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
    assertThat(uploaded.body().get("sha256").asText()).isEqualTo(io.opampfleet.server.configs.ConfigVersion.sha256(content));
    assertThat(uploaded.body().get("signed").asBoolean()).isTrue();

    java.net.http.HttpResponse<byte[]> download = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(uploaded.body().get("downloadUrl").asText())).build(),
        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(download.body()).isEqualTo(content);
    assertThat(fleet.admin(TestFleet.ADMIN).upload("/api/v1/packages/file?name=otelcol", file).status()).isEqualTo(400);
  }
}

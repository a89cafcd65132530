package io.opampfleet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opampfleet.server.fleet.AdminClient.Answer;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.simulated.SimulatedAgent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets in what the API serves are for admins only: config bodies, diffs, agents' effective
 * configs and events' text come to viewers and operators with those values hidden, and a hosted
 * package's secret download URL is not shown to them; an operator's edit keeps the secrets it could not read.
 */
class SecretRedactionIT {
  private static final String BODY = """
      extensions:
        basicauth/client:
          client_auth: {username: fleet, password: hunter2}
      exporters:
        otlphttp:
          endpoint: https://ingest.example:4318
          headers:
            x-api-key: k-live-4242   # rotated monthly
        file:
          path: /tmp/out.json
          private_key: |
            -----BEGIN PRIVATE KEY-----
            MIIEvQIBADANBgkqhkiG9w0BAQEFAASC
            -----END PRIVATE KEY-----
      """;

  @TempDir
  static Path dir;
  private static TestFleet fleet;
  private static SimulatedAgent agent;

  @BeforeAll
  static void start() {
    fleet = new TestFleet(dir).start();
    agent = fleet.agent(Map.of("tier", "vault"), SimulatedAgent.newUid(), false).start();
    await().atMost(Duration.ofSeconds(20)).until(() -> fleet.admin(TestFleet.VIEWER)
        .get("/api/v1/agents/" + agent.uid()).status() == 200);
    Answer added = fleet.admin(TestFleet.OPERATOR).post("/api/v1/configs/vault/versions", Map.of("body", BODY));
    assertThat(added.status()).as(added.body().toString()).isEqualTo(201);
  }

  @AfterAll
  static void stop() {
    agent.close();
    fleet.close();
  }

  @Test
  void configBodiesEffectiveConfigsAndEventsShowSecretsToAdminsOnly() {
    assertThat(fleet.admin(TestFleet.OPERATOR).post("/api/v1/agents/" + agent.uid() + "/config",
        Map.of("config", "vault", "version", 1)).status()).isLessThan(300);
    await().atMost(Duration.ofSeconds(10)).until(() -> BODY.equals(agent.running()));
    agent.unhealthy("export failed: Authorization: Bearer sk-live-77 was refused");
    await().atMost(Duration.ofSeconds(10)).until(() -> events(TestFleet.ADMIN).contains("sk-live-77"));

    for (String reader : List.of(TestFleet.VIEWER, TestFleet.OPERATOR)) {
      String body = fleet.admin(reader).get("/api/v1/configs/vault/versions/1").body().get("body").asText();
      assertThat(body).as(reader).contains("password: <redacted>}", "x-api-key: <redacted>   # rotated monthly",
          "endpoint: https://ingest.example:4318", "private_key: <redacted>\n")
          .doesNotContain("hunter2", "k-live-4242", "MIIEvQIBADANBg");
      String detail = fleet.admin(reader).get("/api/v1/agents/" + agent.uid()).body().toString();
      assertThat(detail).as(reader).contains("password: <redacted>", "Authorization: <redacted> was refused")
          .doesNotContain("hunter2", "k-live-4242", "sk-live-77", "MIIEvQIBADANBg");
      assertThat(events(reader)).as(reader).contains("Authorization: <redacted>").doesNotContain("sk-live-77");
    }
    assertThat(fleet.admin(TestFleet.ADMIN).get("/api/v1/configs/vault/versions/1").body().get("body").asText())
        .isEqualTo(BODY);
    assertThat(fleet.admin(TestFleet.ADMIN).get("/api/v1/agents/" + agent.uid()).body().toString())
        .contains("hunter2", "k-live-4242", "sk-live-77");
  }

  @Test
  void anOperatorsEditOfARedactedBodyKeepsTheSecretsItCouldNotRead() {
    AdminClient operator = fleet.admin(TestFleet.OPERATOR);
    String read = operator.get("/api/v1/configs/vault/versions/1").body().get("body").asText();

    Answer saved = operator.post("/api/v1/configs/vault/versions",
        Map.of("body", read.replace("4318", "4319"), "comment", "new port"));

    assertThat(saved.status()).as(saved.body().toString()).isEqualTo(201);
    int version = saved.body().get("version").asInt();
    assertThat(fleet.admin(TestFleet.ADMIN).get("/api/v1/configs/vault/versions/" + version).body().get("body")
        .asText()).isEqualTo(BODY.replace("4318", "4319"));
    String diff = operator.get("/api/v1/configs/vault/diff?from=1&to=" + version).body().toString();
    assertThat(diff).contains("4319").doesNotContain("hunter2", "k-live-4242", "MIIEvQIBADANBg");

    Answer refused = operator.post("/api/v1/configs/vault/versions",
        Map.of("body", read + "  debug:\n    token: <redacted>\n"));
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.body().get("error").asText()).contains("exporters.debug.token", "${env:NAME}");
  }

  @Test
  void aHostedPackagesDownloadUrlIsShownToAdminsOnly() {
    byte[] content = "#!/bin/sh\necho otelcol\n".getBytes(StandardCharsets.UTF_8);
    assertThat(fleet.admin(TestFleet.ADMIN).post("/api/v1/packages", Map.of("name", "otelcol", "version", "1.0.0",
        "content", Base64.getEncoder().encodeToString(content))).status()).isEqualTo(201);

    assertThat(fleet.admin(TestFleet.ADMIN).get("/api/v1/packages").body().get(0).get("downloadUrl").asText())
        .contains("/downloads/");
    for (String reader : List.of(TestFleet.VIEWER, TestFleet.OPERATOR)) {
      assertThat(fleet.admin(reader).get("/api/v1/packages").body().get(0).has("downloadUrl")).as(reader).isFalse();
    }
  }

  private static String events(String reader) {
    return fleet.admin(reader).get("/api/v1/agents/" + agent.uid() + "/events").body().toString();
  }
}

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every change made through the admin API is in the audit log with who made it, when, and the object
 * before and after; reads, checks and refused calls are not; no secret is kept, not even a new token's.
 */
class AuditLogIT {
  @TempDir
  Path dir;
  private TestFleet fleet;

  @BeforeEach
  void start() {
    fleet = new TestFleet(dir).start();
  }

  @AfterEach
  void stop() {
    fleet.close();
  }

  @Test
  void eachChangeIsRecordedWithWhoWhenAndTheObjectBeforeAndAfter() {
    AdminClient operator = fleet.admin(TestFleet.OPERATOR);
    long started = System.currentTimeMillis();
    assertThat(operator.post("/api/v1/configs/web/versions",
        Map.of("body", "exporters:\n  otlp: {headers: {api-key: k-9}}\n", "comment", "first")).status())
        .isEqualTo(201);
    assertThat(operator.put("/api/v1/assignments/web", Map.of("selector", "env=prod", "config", "web",
        "version", 1)).status()).isEqualTo(200);
    assertThat(operator.put("/api/v1/assignments/web", Map.of("selector", "env=dev", "config", "web",
        "version", 1)).status()).isEqualTo(200);
    assertThat(operator.delete("/api/v1/assignments/web").status()).isEqualTo(200);
    // Neither reads, checks nor refusals are changes.
    operator.get("/api/v1/configs");
    assertThat(operator.post("/api/v1/configs/validate", Map.of("body", "a: b\n")).status()).isLessThan(300);
    assertThat(operator.post("/api/v1/configs/web/versions", Map.of("body", "a: [\n")).status()).isEqualTo(422);
    assertThat(fleet.admin(TestFleet.VIEWER).put("/api/v1/assignments/x", Map.of()).status()).isEqualTo(403);

    List<JsonNode> log = entries(fleet.admin(TestFleet.VIEWER), "");

    assertThat(log).extracting(entry -> entry.get("action").asText() + " " + entry.get("object").asText())
        .containsExactly(
            "DELETE /api/v1/assignments/{name} /api/v1/assignments/web",
            "PUT /api/v1/assignments/{name} /api/v1/assignments/web",
            "PUT /api/v1/assignments/{name} /api/v1/assignments/web",
            "POST /api/v1/configs/{name}/versions /api/v1/configs/web/versions");
    assertThat(log).allSatisfy(entry -> {
      assertThat(entry.get("actor").asText()).isEqualTo("test-operator");
      assertThat(entry.get("role").asText()).isEqualTo("operator");
      assertThat(entry.get("at").asLong()).isBetween(started, System.currentTimeMillis());
    });
    JsonNode deleted = log.get(0);
    JsonNode moved = log.get(1);
    JsonNode assigned = log.get(2);
    JsonNode added = log.get(3);
    assertThat(assigned.get("before").isNull()).isTrue();
    assertThat(assigned.get("after").get("selector").asText()).isEqualTo("env=prod");
    assertThat(moved.get("request").get("selector").asText()).isEqualTo("env=dev");
    assertThat(moved.get("before").get("selector").asText()).isEqualTo("env=prod");
    assertThat(moved.get("after").get("selector").asText()).isEqualTo("env=dev");
    assertThat(deleted.get("before").get("selector").asText()).isEqualTo("env=dev");
    assertThat(added.get("status").asInt()).isEqualTo(201);
    assertThat(added.get("after").get("version").asInt()).isEqualTo(1);
    // Kept as those who are not admins read it: an admin reads no secret here either.
    assertThat(entries(fleet.admin(TestFleet.ADMIN), "").get(3).get("request").get("body").asText())
        .contains("api-key: <redacted>").doesNotContain("k-9");
  }

  @Test
  void pushesRestartsCertificatesRolloutActionsAndPackagesAreRecordedToo() {
    SimulatedAgent agent = fleet.agent(Map.of("service.name", "audited", "env", "prod"), SimulatedAgent.newUid(), false)
        .start();
    try {
      AdminClient operator = fleet.admin(TestFleet.OPERATOR);
      await().atMost(Duration.ofSeconds(20)).until(() -> operator.get("/api/v1/agents/" + agent.uid()).status() == 200);
      String agentPath = "/api/v1/agents/" + agent.uid();
      assertThat(operator.post("/api/v1/configs/web/versions", Map.of("body", "receivers: {}\n")).status())
          .isEqualTo(201);
      assertThat(operator.post(agentPath + "/config", Map.of("config", "web", "version", 1)).status()).isLessThan(300);
      assertThat(operator.post(agentPath + "/restart", Map.of()).status()).isLessThan(300);
      assertThat(operator.post(agentPath + "/certificate", Map.of()).status()).isLessThan(300);
      // It takes the offered certificate and connects again with it.
      await().atMost(Duration.ofSeconds(20)).until(() -> operator.get(agentPath).body().path("connected").asBoolean()
          && !operator.get(agentPath).body().path("certificate").path("sha256").asText().isEmpty());
      RolloutSteps rollouts = new RolloutSteps(operator);
      rollouts.version("web", "receivers: {otlp: {}}\n");
      long rollout = rollouts.start(Map.of("config", "web", "version", 2, "selector", "env=prod", "bake", "1h"))
          .get("id").asLong();
      assertThat(operator.post("/api/v1/rollouts/" + rollout + "/pause", Map.of()).status()).isLessThan(300);
      assertThat(operator.post("/api/v1/rollouts/" + rollout + "/abort", Map.of()).status()).isLessThan(300);
      assertThat(fleet.admin(TestFleet.ADMIN).post("/api/v1/packages", Map.of("name", "otelcol", "version", "0.150.0",
          "content", Base64.getEncoder().encodeToString("binary".getBytes(StandardCharsets.UTF_8)))).status())
          .isEqualTo(201);

      List<JsonNode> log = entries(fleet.admin(TestFleet.VIEWER), "?since=1h");

      assertThat(log).extracting(entry -> entry.get("actor").asText() + " " + entry.get("action").asText())
          .containsExactly(
              "test-admin POST /api/v1/packages",
              "test-operator POST /api/v1/rollouts/{id}/abort",
              "test-operator POST /api/v1/rollouts/{id}/pause",
              "test-operator POST /api/v1/rollouts",
              "test-operator POST /api/v1/configs/{name}/versions",
              "test-operator POST /api/v1/agents/{uid}/certificate",
              "test-operator POST /api/v1/agents/{uid}/restart",
              "test-operator POST /api/v1/agents/{uid}/config",
              "test-operator POST /api/v1/configs/{name}/versions");
      assertThat(log.get(1).get("before").get("state").asText()).isEqualTo("PAUSED");
      assertThat(log.get(1).get("after").get("state").asText()).isEqualTo("ABORTED");
      assertThat(log.get(2).get("object").asText()).isEqualTo("/api/v1/rollouts/" + rollout + "/pause");
      assertThat(log.get(5).get("before").get("subject").asText()).contains("CN=" + agent.uid());
      assertThat(log.get(7).get("before").get("desiredConfig").isNull()).isTrue();
      assertThat(log.get(7).get("after").get("desiredConfig").asText()).isEqualTo("web@1");
      // Kept as non-admins read it: without the package's secret download address.
      assertThat(log.get(0).get("request").get("name").asText()).isEqualTo("otelcol");
      assertThat(log.get(0).toString()).doesNotContain("/downloads/");
    } finally {
      agent.close();
    }
  }

  @Test
  void configsAppliedAsCodeAreRecordedWithWhatTheRequestNamedBefore() {
    AdminClient operator = fleet.admin(TestFleet.OPERATOR);
    assertThat(operator.post("/api/v1/configs/web/versions", Map.of("body", "receivers: {}\n")).status())
        .isEqualTo(201);
    assertThat(operator.post("/api/v1/configs/other/versions", Map.of("body", "receivers: {}\n")).status())
        .isEqualTo(201);
    assertThat(operator.put("/api/v1/assignments/web", Map.of("selector", "env=prod", "config", "web",
        "version", 1)).status())
        .isEqualTo(200);
    assertThat(operator.put("/api/v1/assignments/old", Map.of("selector", "env=old", "config", "web",
        "version", 1)).status())
        .isEqualTo(200);

    Answer applied = operator.post("/api/v1/apply", Map.of(
        "configs", List.of(Map.of("name", "web", "body", "receivers: {otlp: {}}\n")),
        "assignments", List.of(Map.of("name", "web", "selector", "env=dev", "config", "web")),
        "prune", true));
    assertThat(applied.status()).as(applied.body().toString()).isEqualTo(200);
    // A preview changes nothing and is not recorded.
    assertThat(operator.post("/api/v1/apply/preview", Map.of("configs", List.of(), "assignments", List.of()))
        .status()).isEqualTo(200);

    JsonNode entry = entries(operator, "").get(0);
    assertThat(entry.get("action").asText()).isEqualTo("POST /api/v1/apply");
    // Before: the latest version of each config the request names (not the others), and every assignment,
    // since the request prunes those it does not name.
    assertThat(entry.get("before").get("configs")).extracting(config -> config.get("name").asText() + "@"
        + config.get("version").asInt()).containsExactly("web@1");
    assertThat(entry.get("before").get("assignments")).extracting(a -> a.get("name").asText() + " "
        + a.get("selector").asText()).containsExactlyInAnyOrder("web env=prod", "old env=old");
    assertThat(entry.get("after").toString()).contains("\"pruned\"", "env=dev");
  }

  @Test
  void aNewTokensSecretIsNotKeptAndTheLogIsFilteredByWhoWhatAndWhen() throws InterruptedException {
    AdminClient admin = fleet.admin(TestFleet.ADMIN);
    Answer made = admin.post("/api/v1/tokens", Map.of("name", "ci", "role", "operator"));
    assertThat(made.status()).isEqualTo(201);
    String secret = made.body().get("token").asText();
    assertThat(admin.delete("/api/v1/tokens/ci").status()).isEqualTo(200);
    // A time strictly between the admin's changes and the operator's, whatever the clock's resolution.
    Thread.sleep(5);
    long between = System.currentTimeMillis();
    Thread.sleep(5);
    assertThat(fleet.admin(TestFleet.OPERATOR).post("/api/v1/configs/api/versions", Map.of("body", "a: b\n"))
        .status()).isEqualTo(201);

    List<JsonNode> byAdmin = entries(admin, "?actor=test-admin");
    assertThat(byAdmin).extracting(entry -> entry.get("action").asText())
        .containsExactly("DELETE /api/v1/tokens/{name}", "POST /api/v1/tokens");
    assertThat(byAdmin.toString()).doesNotContain(secret);
    assertThat(byAdmin.get(1).get("after").get("token").asText()).isEqualTo("<redacted>");
    assertThat(byAdmin.get(0).get("before").get("name").asText()).isEqualTo("ci");
    assertThat(byAdmin.get(0).get("before").get("role").asText()).isEqualTo("operator");
    assertThat(entries(admin, "?object=/api/v1/tokens")).hasSize(2);
    assertThat(entries(admin, "?object=/api/v1/tok")).isEmpty();
    assertThat(entries(admin, "?since=" + Instant.ofEpochMilli(between))).extracting(e -> e.get("actor").asText())
        .containsExactly("test-operator");
    assertThat(entries(admin, "?until=" + Instant.ofEpochMilli(between))).hasSize(2);
    assertThat(entries(admin, "?since=1h")).hasSize(3);
    Answer wrong = admin.get("/api/v1/audit?since=yesterday");
    assertThat(wrong.status()).isEqualTo(400);
    assertThat(wrong.body().get("error").asText()).contains("'since'", "24h");
  }

  private static List<JsonNode> entries(AdminClient client, String query) {
    Answer answer = client.get("/api/v1/audit" + query);
    assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
    List<JsonNode> entries = new ArrayList<>();
    answer.body().forEach(entries::add);
    return entries;
  }
}

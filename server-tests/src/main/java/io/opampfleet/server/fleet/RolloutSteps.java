package io.opampfleet.server.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.server.fleet.AdminClient.Answer;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** What an operator does around a rollout through the API: a config version, the start, the wait for its end. */
public final class RolloutSteps {
  private final AdminClient operator;

  public RolloutSteps(AdminClient operator) {
    this.operator = operator;
  }

  public void version(String name, String body) {
    Answer created = operator.post("/api/v1/configs/" + name + "/versions", Map.of("body", body, "comment", "test"));
    assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
  }

  public JsonNode start(Map<String, Object> plan) {
    Answer started = operator.post("/api/v1/rollouts", plan);
    assertThat(started.status()).as(started.body().toString()).isEqualTo(201);
    return started.body();
  }

  public JsonNode awaitEnd(long id) {
    // An answer without a state (a 503 while the store is away) is not an end.
    await().atMost(Duration.ofSeconds(60)).until(() -> List.of("SUCCEEDED", "FAILED", "ROLLED_BACK", "ABORTED")
        .contains(operator.get("/api/v1/rollouts/" + id).body().path("state").asText()));
    return operator.get("/api/v1/rollouts/" + id).body();
  }
}

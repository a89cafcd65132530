package io.opampfleet.harness.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/** Drives a rollout on our server through its admin API: a new config version, a rollout, its end. */
final class RolloutDriver {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> ENDED = Set.of("SUCCEEDED", "FAILED", "ROLLED_BACK", "ABORTED");

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final URI admin;
  private final String token;

  RolloutDriver(URI admin, String token) {
    this.admin = admin;
    this.token = token;
  }

  /** Adds a version of the config and returns its number. */
  int addVersion(String config, String body) {
    return call("POST", "/api/v1/configs/" + config + "/versions", Map.of("body", body, "comment", "loadtest"))
        .get("version").asInt();
  }

  /** Starts a rollout and returns its id. */
  long start(String selector, String config, int version, String waves, String budget, Duration applyTimeout) {
    return call("POST", "/api/v1/rollouts", Map.of("selector", selector, "config", config, "version", version,
        "waves", waves, "failureBudget", budget, "applyTimeout", applyTimeout.toSeconds() + "s")).get("id").asLong();
  }

  /**
   * Polls the rollout every 100 ms until it ends or the time is up, marking its waves and states and
   * timing each agent's APPLIED as the server records it (to the poll that first shows it); returns
   * its last view.
   */
  JsonNode follow(long id, Duration limit, Timeline timeline) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    JsonNode view = call("GET", "/api/v1/rollouts/" + id, null);
    int wave = 1;
    String state = "RUNNING";
    long recorded = 0;
    while (true) {
      // Applied and healthy as the server has it: baking, or done baking.
      long now = view.get("counts").path("BAKING").asLong() + view.get("counts").path("DONE").asLong();
      timeline.recorded(now - recorded, System.nanoTime());
      recorded = Math.max(recorded, now);
      if (view.get("currentWave").asInt() != wave) {
        wave = view.get("currentWave").asInt();
        timeline.mark("wave " + wave);
      }
      if (!view.get("state").asText().equals(state)) {
        state = view.get("state").asText();
        if (!state.equals("RUNNING")) {
          timeline.mark(state);
        }
      }
      if (ENDED.contains(state) || System.nanoTime() >= end) {
        return view;
      }
      Thread.sleep(100);
      view = call("GET", "/api/v1/rollouts/" + id, null);
    }
  }

  /** The server's unlabelled opamp_ figures from /metrics; empty when they cannot be read. */
  Map<String, Double> metrics() {
    Map<String, Double> figures = new java.util.TreeMap<>();
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(admin.resolve("/metrics"))
          .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token).build(),
          HttpResponse.BodyHandlers.ofString());
      for (String line : response.body().split("\n")) {
        String[] parts = line.split(" ");
        if (line.startsWith("opamp_") && parts.length == 2 && !parts[0].contains("{")) {
          figures.put(parts[0], Double.parseDouble(parts[1]));
        }
      }
    } catch (IOException | RuntimeException e) {
      return Map.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return figures;
  }

  private JsonNode call(String method, String path, Object body) {
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(admin.resolve(path)).timeout(Duration.ofSeconds(30))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
      request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
          : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
      HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      JsonNode answer = JSON.readTree(response.body());
      if (response.statusCode() >= 300) {
        throw new LoadtestException("the admin API refused " + method + " " + path + " (" + response.statusCode() + "): "
            + (answer.has("error") ? answer.get("error").asText() : answer.toString()));
      }
      return answer;
    } catch (IOException e) {
      throw new LoadtestException("the admin API at " + admin + " cannot be reached: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LoadtestException("interrupted while calling the admin API");
    }
  }
}

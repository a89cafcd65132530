package io.opampfleet.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opampfleet.api.Agent;
import io.opampfleet.api.AgentPage;
import io.opampfleet.api.ApplyResult;
import io.opampfleet.api.Assignment;
import io.opampfleet.api.ConfigPush;
import io.opampfleet.api.ConfigVersion;
import io.opampfleet.api.ConfigVersionSummary;
import io.opampfleet.api.DesiredState;
import io.opampfleet.api.NewConfigVersion;
import io.opampfleet.api.Rollout;
import io.opampfleet.api.RolloutRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;

/**
 * The admin API of an OpAMP Fleet server as typed calls. An error answer throws
 * {@link FleetApiException} with the server's sentence; no answer throws
 * {@link FleetUnreachableException}.
 */
public final class FleetClient {
  private static final ObjectMapper JSON = new ObjectMapper()
      // A newer server may say more than this client knows.
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final URI base;
  private final String token;
  private final HttpClient http;

  /**
   * @param base the admin listener, for example {@code https://fleet.example:4321}
   * @param token an API token
   * @param tls trust (and a client certificate) for https, or null for the JDK's defaults
   */
  public FleetClient(URI base, String token, SSLContext tls) {
    this.base = URI.create(base.toString().replaceAll("/+$", ""));
    this.token = token;
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
    this.http = (tls == null ? builder : builder.sslContext(tls)).build();
  }

  /** Agents matching a label selector (empty: all), one page of at most {@code size}. */
  public AgentPage agents(String selector, int page, int size) {
    return get("/api/v1/agents?selector=" + encode(selector) + "&page=" + page + "&size=" + size,
        new TypeReference<>() {});
  }

  public Agent agent(String uid) {
    return get("/api/v1/agents/" + encode(uid), new TypeReference<>() {});
  }

  /** Sends one config version to one agent now. */
  public void push(String uid, String config, int version) {
    post("/api/v1/agents/" + encode(uid) + "/config", new ConfigPush(config, version), new TypeReference<JsonNode>() {});
  }

  /** Asks an agent to restart its collector. */
  public void restart(String uid) {
    post("/api/v1/agents/" + encode(uid) + "/restart", Map.of(), new TypeReference<JsonNode>() {});
  }

  /** Each config with its latest version. */
  public List<ConfigVersionSummary> configs() {
    return get("/api/v1/configs", new TypeReference<>() {});
  }

  /** Adds the next version of a config (the config is made with its first). */
  public ConfigVersion addVersion(String config, NewConfigVersion version) {
    return post("/api/v1/configs/" + encode(config) + "/versions", version, new TypeReference<>() {});
  }

  /**
   * The server's own figures from {@code /metrics} that carry no labels ({@code opamp_store_queue_depth},
   * say), by name. Read by hand: the Prometheus text format has no maintained Java parser, and
   * these lines are a name, a space and a number.
   */
  public Map<String, Double> serverMetrics() {
    HttpResponse<String> response = call(request("/metrics").setHeader("Accept", "text/plain").GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 300) {
      throw new FleetApiException(response.statusCode(), errorOf(response.statusCode(), response.body()));
    }
    Map<String, Double> figures = new TreeMap<>();
    for (String line : response.body().split("\n")) {
      String[] parts = line.split(" ");
      if (parts.length == 2 && !line.startsWith("#") && !parts[0].contains("{")) {
        try {
          figures.put(parts[0], Double.parseDouble(parts[1]));
        } catch (NumberFormatException notANumber) {
          // Not a sample this call reads.
        }
      }
    }
    return figures;
  }

  public List<Assignment> assignments() {
    return get("/api/v1/assignments", new TypeReference<>() {});
  }

  public List<Rollout> rollouts() {
    return get("/api/v1/rollouts", new TypeReference<>() {});
  }

  public Rollout rollout(long id) {
    return get("/api/v1/rollouts/" + id, new TypeReference<>() {});
  }

  /**
   * Follows a rollout's event stream, handing each state the server sends to {@code each}, until the
   * server ends the stream (the rollout ended); returns the rollout as it is then.
   */
  public Rollout followRollout(long id, Consumer<Rollout> each) {
    String path = "/api/v1/rollouts/" + id + "/stream";
    // Server-sent events read by hand: the JDK's client already hands over the stream's lines, and a
    // line that starts with "data: " is one event here; an SSE library would bring a second HTTP stack.
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token)
        .header("Accept", "text/event-stream").GET().build();
    HttpResponse<Stream<String>> response = call(request, HttpResponse.BodyHandlers.ofLines());
    if (response.statusCode() >= 300) {
      String text = response.body().collect(Collectors.joining("\n"));
      throw new FleetApiException(response.statusCode(), errorOf(response.statusCode(), text));
    }
    try (Stream<String> lines = response.body()) {
      lines.filter(line -> line.startsWith("data: ")).forEach(line -> each.accept(read(path, line.substring(6))));
    } catch (UncheckedIOException e) {
      throw new FleetUnreachableException("the stream from " + base + " broke: " + describe(e.getCause()), e);
    }
    return rollout(id);
  }

  private static Rollout read(String path, String json) {
    try {
      return JSON.readValue(json, Rollout.class);
    } catch (IOException e) {
      throw new FleetApiException(200, "an event on " + path + " is not what this client reads: " + e.getMessage());
    }
  }

  public Rollout startRollout(RolloutRequest request) {
    return post("/api/v1/rollouts", request, new TypeReference<>() {});
  }

  /** Pauses, resumes or aborts a rollout: {@code action} is pause, resume or abort. */
  public Rollout rolloutAction(long id, String action) {
    return post("/api/v1/rollouts/" + id + "/" + action, Map.of(), new TypeReference<>() {});
  }

  /** Applies configs and assignments in one transaction. */
  public ApplyResult apply(DesiredState desired) {
    return post("/api/v1/apply", desired, new TypeReference<>() {});
  }

  /** What {@link #apply} would change, changing nothing. */
  public ApplyResult preview(DesiredState desired) {
    return post("/api/v1/apply/preview", desired, new TypeReference<>() {});
  }

  private <T> T get(String path, TypeReference<T> type) {
    return send(request(path).GET().build(), type);
  }

  private <T> T post(String path, Object body, TypeReference<T> type) {
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write the request as JSON: " + e.getMessage(), e);
    }
    return send(request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(json)).build(), type);
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + token).header("Accept", "application/json");
  }

  private <T> T send(HttpRequest request, TypeReference<T> type) {
    HttpResponse<byte[]> response = call(request, HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() >= 300) {
      throw new FleetApiException(response.statusCode(), errorOf(response.statusCode(),
          new String(response.body(), StandardCharsets.UTF_8)));
    }
    try {
      return JSON.readValue(response.body(), type);
    } catch (IOException e) {
      throw new FleetApiException(response.statusCode(), "the server's answer to " + request.uri().getPath()
          + " is not what this client reads: " + e.getMessage());
    }
  }

  private <T> HttpResponse<T> call(HttpRequest request, HttpResponse.BodyHandler<T> body) {
    try {
      return http.send(request, body);
    } catch (IOException e) {
      throw new FleetUnreachableException("no answer from " + base + ": " + describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FleetUnreachableException("interrupted while waiting for " + base, e);
    }
  }

  /** The API's error sentence, or the start of whatever came back instead. */
  private static String errorOf(int status, String text) {
    try {
      JsonNode error = JSON.readTree(text).path("error");
      if (error.isTextual()) {
        return error.asText();
      }
    } catch (IOException notJson) {
      // Said below as it came.
    }
    return "HTTP " + status + (text.isBlank() ? "" : ": " + text.substring(0, Math.min(200, text.length())));
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      message = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage()
          : e.getClass().getSimpleName();
    }
    return message;
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}

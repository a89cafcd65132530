package io.opampfleet.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opampfleet.api.Agent;
import io.opampfleet.api.AgentAttempt;
import io.opampfleet.api.AgentEvent;
import io.opampfleet.api.AgentPage;
import io.opampfleet.api.AgentTelemetry;
import io.opampfleet.api.ApplyResult;
import io.opampfleet.api.Assignment;
import io.opampfleet.api.AssignmentApplied;
import io.opampfleet.api.AssignmentRequest;
import io.opampfleet.api.AuditEntry;
import io.opampfleet.api.ConfigBody;
import io.opampfleet.api.ConfigDiff;
import io.opampfleet.api.ConfigPush;
import io.opampfleet.api.ConfigVersion;
import io.opampfleet.api.ConfigVersionSummary;
import io.opampfleet.api.Conflict;
import io.opampfleet.api.Deleted;
import io.opampfleet.api.DesiredState;
import io.opampfleet.api.FleetSummary;
import io.opampfleet.api.HostedPackage;
import io.opampfleet.api.NewConfigVersion;
import io.opampfleet.api.NewToken;
import io.opampfleet.api.PackageOffer;
import io.opampfleet.api.PackageUpload;
import io.opampfleet.api.Rollout;
import io.opampfleet.api.RolloutPreview;
import io.opampfleet.api.RolloutRequest;
import io.opampfleet.api.SelectorPreview;
import io.opampfleet.api.Token;
import io.opampfleet.api.TokenRequest;
import io.opampfleet.api.Validation;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The admin API's records against the server's OpenAPI document. Every answer the server writes
 * from a shared record (and the client reads into it) has exactly the document's properties, of
 * the same JSON type, a primitive only where the document never says null, nested records and lists
 * included; a request the server reads into a record has exactly the document's fields too. So a change on one side that the other
 * does not follow fails here.
 */
class ApiTypesMatchTheDocumentTest {
  private static JsonNode document;

  @BeforeAll
  static void read() throws Exception {
    try (InputStream in = ApiTypesMatchTheDocumentTest.class.getResourceAsStream("/openapi.json")) {
      document = new ObjectMapper().readTree(in);
    }
  }

  @Test
  void eachAnswerTheServerWritesFromARecordIsExactlyTheDocumentsShape() {
    List<String> problems = new ArrayList<>();
    written(AgentPage.class, response("/api/v1/agents", "get"), "AgentPage", problems);
    written(Agent.class, response("/api/v1/agents/{uid}", "get"), "Agent", problems);
    written(FleetSummary.class, response("/api/v1/fleet", "get"), "FleetSummary", problems);
    written(ConfigVersionSummary.class, response("/api/v1/configs", "get").get("items"), "configs[]", problems);
    written(ConfigVersionSummary.class, response("/api/v1/configs/{name}/versions", "get").get("items"),
        "versions[]", problems);
    written(ConfigVersion.class, response("/api/v1/configs/{name}/versions", "post"), "ConfigVersion", problems);
    written(ConfigVersion.class, response("/api/v1/configs/{name}/versions/{version}", "get"), "ConfigVersion",
        problems);
    written(ConfigDiff.class, response("/api/v1/configs/{name}/diff", "get"), "ConfigDiff", problems);
    written(Validation.class, response("/api/v1/configs/validate", "post"), "validation", problems);
    written(Assignment.class, response("/api/v1/assignments", "get").get("items"), "assignments[]", problems);
    written(AssignmentApplied.class, response("/api/v1/assignments/{name}", "put"), "AssignmentApplied", problems);
    written(Deleted.class, response("/api/v1/assignments/{name}", "delete"), "Deleted", problems);
    written(Conflict.class, response("/api/v1/conflicts", "get").get("items"), "conflicts[]", problems);
    written(SelectorPreview.class, response("/api/v1/selectors/preview", "get"), "SelectorPreview", problems);
    written(ApplyResult.class, response("/api/v1/apply", "post"), "ApplyResult", problems);
    written(ApplyResult.class, response("/api/v1/apply/preview", "post"), "ApplyResult", problems);
    written(Rollout.class, response("/api/v1/rollouts", "get").get("items"), "rollouts[]", problems);
    for (String call : List.of("/api/v1/rollouts", "/api/v1/rollouts/{id}/pause", "/api/v1/rollouts/{id}/resume",
        "/api/v1/rollouts/{id}/abort")) {
      written(Rollout.class, response(call, "post"), "Rollout", problems);
    }
    written(Rollout.class, response("/api/v1/rollouts/{id}", "get"), "Rollout", problems);
    written(RolloutPreview.class, response("/api/v1/rollouts/preview", "post"), "RolloutPreview", problems);
    written(AgentEvent.class, response("/api/v1/agents/{uid}/events", "get").get("items"), "events[]", problems);
    written(AgentAttempt.class, response("/api/v1/agents/{uid}/rollouts", "get").get("items"), "attempts[]",
        problems);
    written(AgentTelemetry.class, response("/api/v1/agents/{uid}/telemetry", "get"), "AgentTelemetry", problems);
    written(Token.class, response("/api/v1/tokens", "get").get("items"), "tokens[]", problems);
    written(Token.class, response("/api/v1/whoami", "get"), "Token", problems);
    written(NewToken.class, response("/api/v1/tokens", "post"), "NewToken", problems);
    written(Deleted.class, response("/api/v1/tokens/{name}", "delete"), "Deleted", problems);
    written(HostedPackage.class, response("/api/v1/packages", "get").get("items"), "packages[]", problems);
    written(HostedPackage.class, response("/api/v1/packages", "post"), "Package", problems);
    written(HostedPackage.class, response("/api/v1/packages/file", "post"), "Package", problems);
    written(AuditEntry.class, response("/api/v1/audit", "get").get("items"), "audit[]", problems);
    assertThat(problems).isEmpty();
  }

  @Test
  void eachRequestHasTheDocumentsFields() {
    List<String> problems = new ArrayList<>();
    asked(ConfigPush.class, request("/api/v1/agents/{uid}/config"), "push request", problems);
    asked(NewConfigVersion.class, request("/api/v1/configs/{name}/versions"), "version request", problems);
    asked(ConfigBody.class, request("/api/v1/configs/validate"), "validation request", problems);
    asked(AssignmentRequest.class, request("/api/v1/assignments/{name}", "put"), "assignment request", problems);
    asked(TokenRequest.class, request("/api/v1/tokens"), "token request", problems);
    asked(PackageUpload.class, request("/api/v1/packages"), "package request", problems);
    asked(PackageOffer.class, request("/api/v1/agents/{uid}/packages"), "offer request", problems);
    asked(DesiredState.class, request("/api/v1/apply"), "apply request", problems);
    asked(DesiredState.class, request("/api/v1/apply/preview"), "apply preview request", problems);
    asked(RolloutRequest.class, request("/api/v1/rollouts"), "rollout request", problems);
    asked(RolloutRequest.class, request("/api/v1/rollouts/preview"), "rollout preview request", problems);
    assertThat(problems).isEmpty();
  }

  @Test
  void aFieldTheDocumentDoesNotHaveIsFound() {
    record Stray(String name, String role, String colour) {}
    List<String> problems = new ArrayList<>();
    written(Stray.class, response("/api/v1/whoami", "get"), "Token", problems);
    assertThat(problems).containsExactly("Token.colour: not in the document");
  }

  @Test
  void aDocumentedFieldTheRecordLacksOrCannotBeNullIsFound() {
    record Short(int agents, int connected, int healthy, long drifted, Map<String, Integer> remoteConfigStatus,
        int reportingOwnMetrics, int droppingData) {}
    record Primitive(String refused, int agents, List<Integer> waves, int pending, String reason, long at,
        double cpuPercent) {}
    List<String> problems = new ArrayList<>();
    written(Short.class, response("/api/v1/fleet", "get"), "FleetSummary", problems);
    written(Primitive.class, document.path("components").path("schemas").path("AgentTelemetrySummary"),
        "AgentTelemetrySummary", problems);
    assertThat(problems).contains("FleetSummary.queueFilling: in the document, not in the record",
        "AgentTelemetrySummary.cpuPercent: may be null in the document, a double here");
  }

  /** How a record stands to its schema. */
  private enum Use {
    /** The server writes the answer from the record: the same properties, null only where the record allows it. */
    WRITTEN,
    /** The server reads the request into the record, and the client sends it: the same properties. */
    ASKED
  }

  private static void written(Class<?> record, JsonNode schema, String where, List<String> problems) {
    compare(record, schema, where, Use.WRITTEN, problems);
  }

  private static void asked(Class<?> record, JsonNode schema, String where, List<String> problems) {
    compare(record, schema, where, Use.ASKED, problems);
  }

  private static void compare(Class<?> record, JsonNode schema, String where, Use use, List<String> problems) {
    JsonNode shape = resolve(schema);
    Set<String> components = new HashSet<>();
    for (RecordComponent component : record.getRecordComponents()) {
      String name = jsonName(component);
      components.add(name);
      JsonNode property = shape.path("properties").get(name);
      String at = where + "." + name;
      if (property == null) {
        problems.add(at + ": not in the document");
        continue;
      }
      // A request's field the server takes as absent when null may still be sent as a primitive.
      if (use == Use.WRITTEN && component.getType().isPrimitive() && property.path("nullable").asBoolean(false)) {
        problems.add(at + ": may be null in the document, a " + component.getType() + " here");
      }
      checkType(component.getGenericType(), resolve(property), at, use, problems);
    }
    shape.path("properties").fieldNames().forEachRemaining(name -> {
      if (!components.contains(name)) {
        problems.add(where + "." + name + ": in the document, not in the record");
      }
    });
  }

  /** The field's name in JSON: the component's, or the one Jackson is told (a Java keyword such as package). */
  private static String jsonName(RecordComponent component) {
    JsonProperty named = component.getAccessor().getAnnotation(JsonProperty.class);
    return named == null ? component.getName() : named.value();
  }

  private static void checkType(Type type, JsonNode schema, String at, Use use, List<String> problems) {
    Class<?> raw = type instanceof ParameterizedType generic ? (Class<?>) generic.getRawType() : (Class<?>) type;
    String expected = jsonType(raw);
    String documented = schema.path("type").asText(schema.has("properties") ? "object" : "");
    if (!expected.equals(documented)) {
      problems.add(at + ": " + raw.getSimpleName() + " here, " + (documented.isEmpty() ? "no type" : documented)
          + " in the document");
      return;
    }
    if (raw.isRecord()) {
      compare(raw, schema, at, use, problems);
    } else if (Collection.class.isAssignableFrom(raw)) {
      checkType(((ParameterizedType) type).getActualTypeArguments()[0], resolve(schema.path("items")), at + "[]",
          use, problems);
    }
  }

  /** The JSON type a Java type is written as; none for Object (any JSON value). */
  private static String jsonType(Class<?> raw) {
    if (raw == Object.class) {
      return "";
    }
    if (raw == String.class) {
      return "string";
    }
    if (raw == int.class || raw == long.class || raw == Integer.class || raw == Long.class) {
      return "integer";
    }
    if (raw == boolean.class || raw == Boolean.class) {
      return "boolean";
    }
    if (raw == double.class || raw == Double.class) {
      return "number";
    }
    if (Collection.class.isAssignableFrom(raw)) {
      return "array";
    }
    if (Map.class.isAssignableFrom(raw) || raw.isRecord()) {
      return "object";
    }
    throw new IllegalArgumentException("no JSON type for " + raw);
  }

  /** The shape a schema stands for: references followed, allOf merged into one object. */
  private static JsonNode resolve(JsonNode schema) {
    if (schema.has("$ref")) {
      String[] path = schema.get("$ref").asText().substring(2).split("/");
      JsonNode target = document;
      for (String part : path) {
        target = target.path(part);
      }
      return resolve(target);
    }
    if (schema.has("allOf")) {
      ObjectNode merged = JsonNodeFactory.instance.objectNode();
      ObjectNode properties = merged.putObject("properties");
      merged.put("type", "object");
      merged.put("nullable", schema.path("nullable").asBoolean(false));
      for (JsonNode part : schema.get("allOf")) {
        JsonNode shape = resolve(part);
        if (shape.has("properties")) {
          properties.setAll((ObjectNode) shape.get("properties"));
        } else if (shape.has("type")) {
          return shape;
        }
      }
      return merged;
    }
    return schema;
  }

  private static JsonNode response(String path, String method) {
    JsonNode responses = document.path("paths").path(path).path(method).path("responses");
    JsonNode ok = responses.has("200") ? responses.get("200") : responses.path("201");
    return resolve(ok.path("content").path("application/json").path("schema"));
  }

  private static JsonNode request(String path) {
    return request(path, "post");
  }

  private static JsonNode request(String path, String method) {
    return document.path("paths").path(path).path(method).path("requestBody").path("content")
        .path("application/json").path("schema");
  }
}

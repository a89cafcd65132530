package io.opampfleet.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client's records against the server's OpenAPI document: every field a record reads is a
 * property of the shape the document gives that answer (or request), of the same JSON type, nested
 * records and lists included; so a change on one side that the other does not follow fails here.
 */
class ClientMatchesTheApiDocumentTest {
  private static JsonNode document;

  @BeforeAll
  static void read() throws Exception {
    document = new ObjectMapper().readTree(Path.of("../opamp-server/src/main/resources/openapi.json").toFile());
  }

  @Test
  void eachAnswerTheClientReadsHasItsFieldsInTheDocument() {
    List<String> problems = new ArrayList<>();
    check(AgentPage.class, response("/api/v1/agents", "get"), "AgentPage", problems);
    check(Agent.class, response("/api/v1/agents/{uid}", "get"), "Agent", problems);
    check(ConfigVersionSummary.class, response("/api/v1/configs", "get").get("items"), "configs[]", problems);
    check(Assignment.class, response("/api/v1/assignments", "get").get("items"), "assignments[]", problems);
    check(Rollout.class, response("/api/v1/rollouts", "get").get("items"), "rollouts[]", problems);
    check(Rollout.class, response("/api/v1/rollouts/{id}", "get"), "Rollout", problems);
    check(ApplyResult.class, response("/api/v1/apply", "post"), "ApplyResult", problems);
    assertThat(problems).isEmpty();
  }

  @Test
  void eachRequestTheClientSendsHasItsFieldsInTheDocument() {
    List<String> problems = new ArrayList<>();
    check(DesiredState.class, request("/api/v1/apply"), "apply request", problems);
    check(RolloutRequest.class, request("/api/v1/rollouts"), "rollout request", problems);
    assertThat(problems).isEmpty();
  }

  @Test
  void aFieldTheDocumentDoesNotHaveIsFound() {
    record Stray(String uid, String colour) {}
    List<String> problems = new ArrayList<>();
    check(Stray.class, response("/api/v1/agents/{uid}", "get"), "Agent", problems);
    assertThat(problems).containsExactly("Agent.colour: not in the document");
  }

  private static void check(Class<?> record, JsonNode schema, String where, List<String> problems) {
    JsonNode shape = resolve(schema);
    for (RecordComponent component : record.getRecordComponents()) {
      JsonNode property = shape.path("properties").get(component.getName());
      String at = where + "." + component.getName();
      if (property == null) {
        problems.add(at + ": not in the document");
        continue;
      }
      checkType(component.getGenericType(), resolve(property), at, problems);
    }
  }

  private static void checkType(Type type, JsonNode schema, String at, List<String> problems) {
    Class<?> raw = type instanceof ParameterizedType generic ? (Class<?>) generic.getRawType() : (Class<?>) type;
    String expected = jsonType(raw);
    String documented = schema.path("type").asText(schema.has("properties") ? "object" : "");
    if (!expected.equals(documented)) {
      problems.add(at + ": " + raw.getSimpleName() + " here, " + (documented.isEmpty() ? "no type" : documented)
          + " in the document");
      return;
    }
    if (raw.isRecord()) {
      check(raw, schema, at, problems);
    } else if (Collection.class.isAssignableFrom(raw)) {
      checkType(((ParameterizedType) type).getActualTypeArguments()[0], resolve(schema.path("items")), at + "[]",
          problems);
    }
  }

  private static String jsonType(Class<?> raw) {
    if (raw == String.class) {
      return "string";
    }
    if (raw == int.class || raw == long.class || raw == Integer.class || raw == Long.class) {
      return "integer";
    }
    if (raw == boolean.class || raw == Boolean.class) {
      return "boolean";
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
    return document.path("paths").path(path).path("post").path("requestBody").path("content").path("application/json")
        .path("schema");
  }
}

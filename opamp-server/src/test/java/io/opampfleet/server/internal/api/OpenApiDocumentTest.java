package io.opampfleet.server.internal.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document the server serves: every successful answer with a body says what the body
 * is, and every reference points at something, so that a route added without a schema fails here.
 */
class OpenApiDocumentTest {
  private static JsonNode document;

  @BeforeAll
  static void read() throws IOException {
    try (InputStream in = OpenApiDocumentTest.class.getResourceAsStream("/openapi.json")) {
      assertThat(in).as("openapi.json is on the classpath").isNotNull();
      document = new ObjectMapper().readTree(in);
    }
  }

  @Test
  void everySuccessfulAnswerWithABodyHasASchema() {
    List<String> checked = new ArrayList<>();
    List<String> without = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      for (Iterator<Map.Entry<String, JsonNode>> operations = path.getValue().fields(); operations.hasNext(); ) {
        Map.Entry<String, JsonNode> operation = operations.next();
        JsonNode responses = operation.getValue().path("responses");
        for (Iterator<Map.Entry<String, JsonNode>> answers = responses.fields(); answers.hasNext(); ) {
          Map.Entry<String, JsonNode> answer = answers.next();
          if (!answer.getKey().startsWith("2")) {
            continue;
          }
          JsonNode response = resolved(answer.getValue());
          for (Iterator<Map.Entry<String, JsonNode>> types = response.path("content").fields(); types.hasNext(); ) {
            Map.Entry<String, JsonNode> type = types.next();
            String name = operation.getKey().toUpperCase() + " " + path.getKey() + " " + answer.getKey() + " "
                + type.getKey();
            checked.add(name);
            JsonNode schema = type.getValue().get("schema");
            if (schema == null || !schema.isObject() || schema.isEmpty()) {
              without.add(name);
            }
          }
        }
      }
    }

    assertThat(checked).as("the document has successful answers with bodies").isNotEmpty();
    assertThat(without).as("successful answers whose body has no schema").isEmpty();
  }

  @Test
  void everyReferenceResolves() {
    List<String> refs = references();
    List<String> dangling = refs.stream().filter(ref -> target(ref) == null).distinct().toList();

    assertThat(refs).as("the document uses references").isNotEmpty();
    assertThat(dangling).as("references that point at nothing").isEmpty();
  }

  @Test
  void everySharedSchemaIsUsed() {
    List<String> refs = references();
    List<String> unused = new ArrayList<>();
    document.path("components").path("schemas").fieldNames().forEachRemaining(name -> {
      if (!refs.contains("#/components/schemas/" + name)) {
        unused.add(name);
      }
    });

    assertThat(unused).as("schemas under components that nothing refers to").isEmpty();
  }

  private static JsonNode resolved(JsonNode node) {
    JsonNode ref = node.get("$ref");
    if (ref == null) {
      return node;
    }
    JsonNode target = target(ref.asText());
    assertThat(target).as(ref.asText() + " resolves").isNotNull();
    return resolved(target);
  }

  /** The node a local reference ({@code #/components/...}) points at; null when there is none. */
  private static JsonNode target(String ref) {
    if (!ref.startsWith("#/")) {
      return null;
    }
    JsonNode node = document.at(ref.substring(1));
    return node.isMissingNode() ? null : node;
  }

  /** Every {@code $ref} in the document, in order. */
  private static List<String> references() {
    List<String> refs = new ArrayList<>();
    collectRefs(document, refs);
    return refs;
  }

  private static void collectRefs(JsonNode node, List<String> refs) {
    if (node.isObject()) {
      node.fields().forEachRemaining(field -> {
        if (field.getKey().equals("$ref") && field.getValue().isTextual()) {
          refs.add(field.getValue().asText());
        } else {
          collectRefs(field.getValue(), refs);
        }
      });
    } else if (node.isArray()) {
      node.forEach(child -> collectRefs(child, refs));
    }
  }
}

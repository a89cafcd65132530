package io.opampfleet.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** One API call: its path parameters, query, JSON body and who makes it. */
public record ApiRequest(
    String method, Map<String, String> pathParameters, Map<String, List<String>> query, byte[] body,
    Principal principal) {

  /** Who called: the token's name and role. */
  public record Principal(String name, Role role) {}

  public String path(String name) {
    return pathParameters.get(name);
  }

  public String query(String name, String otherwise) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() || values.get(0).isEmpty() ? otherwise : values.get(0);
  }

  public int queryInt(String name, int otherwise, int min, int max) {
    String value = query(name, null);
    if (value == null) {
      return otherwise;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed < min || parsed > max) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("query parameter '" + name + "' must be a whole number from " + min + " to "
          + max + ", not '" + value + "'");
    }
  }

  /** The body as a JSON object. */
  public JsonNode json(ObjectMapper mapper) {
    if (body.length == 0) {
      throw ApiException.badRequest("this call needs a JSON object in the request body");
    }
    try {
      JsonNode tree = mapper.readTree(body);
      if (tree == null || !tree.isObject()) {
        throw ApiException.badRequest("the request body must be a JSON object");
      }
      return tree;
    } catch (IOException e) {
      throw ApiException.badRequest("the request body is not valid JSON: " + e.getMessage().split("\n")[0]);
    }
  }

  /** A required text field of the JSON body. */
  public static String text(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull() || value.asText().isBlank()) {
      throw ApiException.badRequest("the request body needs the field '" + field + "'");
    }
    return value.asText();
  }

  public static int integer(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || !value.canConvertToInt()) {
      throw ApiException.badRequest("the request body needs the whole-number field '" + field + "'");
    }
    return value.asInt();
  }

  public static String optionalText(JsonNode body, String field, String otherwise) {
    JsonNode value = body.get(field);
    return value == null || value.isNull() ? otherwise : value.asText();
  }
}

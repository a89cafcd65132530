package io.opampfleet.server.internal.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** One API call: its path parameters, query, JSON body and who makes it. */
public record ApiRequest(
    String method, Map<String, String> pathParameters, Map<String, List<String>> query, byte[] body,
    Principal principal) {

  /** Who called: the token's name and role. */
  public record Principal(String name, Role role) {}

  public String path(String name) {
    return pathParameters.get(name);
  }

  /** A text parameter; {@code otherwise} when it is not given or given empty (no filter). */
  public String query(String name, String otherwise) {
    String value = given(name);
    return value == null || value.isEmpty() ? otherwise : value;
  }

  /** The parameter as given, null when it is not; given more than once, it is refused. */
  private String given(String name) {
    List<String> values = query.get(name);
    if (values != null && values.size() > 1) {
      throw ApiException.badRequest("query parameter '" + name + "' is given " + values.size() + " times; give it once");
    }
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** A whole-number parameter; one given empty is refused like any other that is not a number. */
  public int queryInt(String name, int otherwise, int min, int max) {
    String value = given(name);
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

  /** A {@code true} or {@code false} parameter; empty when not given (given empty, it is refused). */
  public Optional<Boolean> queryBoolean(String name) {
    String value = given(name);
    if (value == null) {
      return Optional.empty();
    }
    if (!value.equals("true") && !value.equals("false")) {
      throw ApiException.badRequest("query parameter '" + name + "' must be 'true' or 'false', not '" + value + "'");
    }
    return Optional.of(value.equals("true"));
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

  /** A required text field of the JSON body: a JSON string, not a number or a boolean taken as text. */
  public static String text(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull() || value.isTextual() && value.asText().isBlank()) {
      throw ApiException.badRequest("the request body needs the field '" + field + "'");
    }
    return textOf(value, field);
  }

  /** A required whole number: 1.5 is refused, not taken as 1. */
  public static int integer(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || !value.isIntegralNumber() || !value.canConvertToInt()) {
      throw ApiException.badRequest("the request body needs the whole-number field '" + field + "'");
    }
    return value.asInt();
  }

  public static String optionalText(JsonNode body, String field, String otherwise) {
    JsonNode value = body.get(field);
    return value == null || value.isNull() ? otherwise : textOf(value, field);
  }

  private static String textOf(JsonNode value, String field) {
    if (!value.isTextual()) {
      throw ApiException.badRequest("the field '" + field + "' must be a string, not " + value.getNodeType()
          .name().toLowerCase(Locale.ROOT));
    }
    return value.asText();
  }
}

package io.opampfleet.server.internal.selector;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** One comma-separated part of a selector. */
record Requirement(String key, Operator operator, List<String> values) {
  enum Operator { EXISTS, NOT_EXISTS, EQUALS, NOT_EQUALS, IN, NOT_IN }

  /** Orders requirements so that equal selectors print, compare and hash the same. */
  static final Comparator<Requirement> CANONICAL_ORDER = Comparator.comparing(Requirement::key)
      .thenComparing(Requirement::operator)
      .thenComparing((a, b) -> Arrays.compare(a.values.toArray(String[]::new), b.values.toArray(String[]::new)));

  Requirement {
    // A value list is a set: order and repeats carry no meaning.
    values = List.copyOf(new TreeSet<>(values));
  }

  boolean matches(Map<String, String> labels) {
    // A null value counts as absent, the same as a missing key.
    String value = labels.get(key);
    return switch (operator) {
      case EXISTS -> value != null;
      case NOT_EXISTS -> value == null;
      case EQUALS, IN -> value != null && values.contains(value);
      case NOT_EQUALS, NOT_IN -> value == null || !values.contains(value);
    };
  }

  @Override
  public String toString() {
    return switch (operator) {
      case EXISTS -> key;
      case NOT_EXISTS -> "!" + key;
      case EQUALS -> key + "=" + literal(values.get(0));
      case NOT_EQUALS -> key + "!=" + literal(values.get(0));
      case IN -> key + " in (" + list() + ")";
      case NOT_IN -> key + " notin (" + list() + ")";
    };
  }

  private String list() {
    return values.stream().map(Requirement::literal).collect(Collectors.joining(","));
  }

  /** Writes a value bare when the grammar allows it, quoted otherwise (including the empty value, for readability). */
  private static String literal(String value) {
    if (!value.isEmpty() && value.chars().allMatch(c -> SelectorParser.isValueChar((char) c))) {
      return value;
    }
    return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}

package io.opampfleet.server.internal.selector;

import io.opampfleet.server.internal.selector.Requirement.Operator;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/** A hand-written recursive-descent parser, so that every error can name its exact column. */
final class SelectorParser {
  private static final String KEY_CHARS = "letters, digits, '.', '_', '-', '/'";
  private static final String VALUE_CHARS = KEY_CHARS + ", ':'";
  private static final String A_KEY = "a key (" + KEY_CHARS + ")";
  private static final String A_LIST_VALUE = "a value (" + VALUE_CHARS + ", or a double-quoted string)";

  private final String text;
  private int pos;

  private SelectorParser(String text) {
    this.text = text;
  }

  /** Parses a non-blank selector text. */
  static List<Requirement> parse(String text) {
    return new SelectorParser(text).requirements();
  }

  static boolean isKeyChar(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '.' || c == '_' || c == '-' || c == '/';
  }

  static boolean isValueChar(int c) {
    return isKeyChar(c) || c == ':';
  }

  private List<Requirement> requirements() {
    List<Requirement> requirements = new ArrayList<>();
    skipSpaces();
    requirements.add(requirement(""));
    while (true) {
      skipSpaces();
      if (atEnd()) {
        return requirements;
      }
      if (peek() != ',') {
        throw error(pos, "',' before the next requirement, or the end of the selector");
      }
      pos++;
      skipSpaces();
      requirements.add(requirement(" after ','"));
    }
  }

  private Requirement requirement(String where) {
    if (!atEnd() && peek() == '!') {
      pos++;
      skipSpaces();
      return new Requirement(key(A_KEY + " after '!'"), Operator.NOT_EXISTS, List.of());
    }
    String key = key(A_KEY + " or '!' to start a requirement" + where);
    skipSpaces();
    if (atEnd() || peek() == ',') {
      return new Requirement(key, Operator.EXISTS, List.of());
    }
    if (peek() == '=') {
      pos += text.startsWith("==", pos) ? 2 : 1;
      return new Requirement(key, Operator.EQUALS, List.of(value()));
    }
    if (peek() == '!') {
      if (!text.startsWith("!=", pos)) {
        throw error(pos + 1, "'=' after '!' to make the operator '!='");
      }
      pos += 2;
      return new Requirement(key, Operator.NOT_EQUALS, List.of(value()));
    }
    int wordStart = pos;
    String word = take(SelectorParser::isKeyChar);
    if (word.equals("in") || word.equals("notin")) {
      return new Requirement(key, word.equals("in") ? Operator.IN : Operator.NOT_IN, valueList(word));
    }
    String found = word.isEmpty() ? describe(wordStart) : "'" + word + "'";
    throw error(wordStart, "an operator ('=', '==', '!=', 'in' or 'notin'), ',' or the end of the selector after key '"
        + key + "'", found);
  }

  private String key(String expected) {
    String key = take(SelectorParser::isKeyChar);
    if (key.isEmpty()) {
      throw error(pos, expected);
    }
    return key;
  }

  /** The value after '=', '==' or '!=', which may be empty. */
  private String value() {
    skipSpaces();
    if (!atEnd() && peek() == '"') {
      return quoted();
    }
    String value = take(SelectorParser::isValueChar);
    if (!atEnd() && peek() != ',' && !Character.isWhitespace(peek())) {
      throw error(pos, value.isEmpty()
          ? "a value (" + VALUE_CHARS + ", or a double-quoted string for anything else), ',' or the end of the selector"
          : "',' or the end of the selector after value '" + value + "' (quote values that contain other characters)");
    }
    return value;
  }

  private List<String> valueList(String operator) {
    skipSpaces();
    if (atEnd() || peek() != '(') {
      throw error(pos, "'(' to start the value list after '" + operator + "'");
    }
    pos++;
    List<String> values = new ArrayList<>();
    while (true) {
      skipSpaces();
      values.add(listValue(values.isEmpty() ? A_LIST_VALUE + " in the list" : A_LIST_VALUE + " after ','"));
      skipSpaces();
      if (atEnd() || (peek() != ',' && peek() != ')')) {
        throw error(pos, "',' or ')' to continue the value list");
      }
      if (text.charAt(pos++) == ')') {
        return values;
      }
    }
  }

  // A bare empty list value is refused: "(a,)" and "()" are far more likely typos than deliberate empty strings.
  private String listValue(String expected) {
    if (!atEnd() && peek() == '"') {
      return quoted();
    }
    String value = take(SelectorParser::isValueChar);
    if (value.isEmpty()) {
      throw error(pos, expected);
    }
    return value;
  }

  private String quoted() {
    int open = pos++;
    StringBuilder value = new StringBuilder();
    while (!atEnd()) {
      char c = text.charAt(pos++);
      if (c == '"') {
        return value.toString();
      }
      if (c == '\\' && !atEnd()) {
        char escaped = peek();
        if (escaped != '"' && escaped != '\\') {
          throw error(pos - 1, "'\\\"' or '\\\\' (the only escapes in a quoted value)", "'\\" + escaped + "'");
        }
        pos++;
        c = escaped;
      }
      value.append(c);
    }
    // Points at the opening quote: the end of the text says nothing about where the value began.
    throw error(open, "a closing '\"' for the quoted value that starts here", "the end of the selector");
  }

  private String take(IntPredicate allowed) {
    int start = pos;
    while (!atEnd() && allowed.test(peek())) {
      pos++;
    }
    return text.substring(start, pos);
  }

  private void skipSpaces() {
    while (!atEnd() && Character.isWhitespace(peek())) {
      pos++;
    }
  }

  private boolean atEnd() {
    return pos >= text.length();
  }

  private char peek() {
    return text.charAt(pos);
  }

  private String describe(int at) {
    if (at >= text.length()) {
      return "the end of the selector";
    }
    int c = text.codePointAt(at);
    return Character.isISOControl(c) ? String.format("U+%04X", c) : "'" + Character.toString(c) + "'";
  }

  private SelectorException error(int at, String expected) {
    return error(at, expected, describe(at));
  }

  private SelectorException error(int at, String expected, String found) {
    int column = at + 1;
    return new SelectorException(
        "selector \"" + text + "\": at column " + column + ": expected " + expected + ", found " + found, column);
  }
}

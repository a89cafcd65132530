package io.opampfleet.server.internal.api;

import io.opampfleet.server.settings.ServerSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides the values of keys that look like secrets in text anyone but an admin reads: YAML config
 * bodies and effective configs, JSON, and log lines ({@code token=...}). Written here because the
 * text must keep its form (comments, order, line numbers for diffs) and need not even be valid YAML
 * (a collector's log tail); a YAML library would rewrite or refuse it. A value that references the
 * environment ({@code ${env:API_KEY}}) is not a secret and stays. Headers written as a list of
 * {@code name}/{@code value} pairs (the collector's own telemetry exporters) have their secrets under
 * {@code value}: one whose {@code name} is a secret key, or that holds Bearer or Basic credentials,
 * is hidden too.
 *
 * <p>An operator who edits a config it read redacted sends the marks back: {@link #restore} puts the
 * stored values in their places, so that secrets survive an edit by someone who may not read them.
 */
public final class SecretRedactor {
  public static final String MARK = "<redacted>";

  /** A key (bare or quoted) and what separates it from its value, where a key can begin. */
  private static final Pattern KEY = Pattern.compile(
      "(?<![\\w.\\-/\"'])([\"']?)([A-Za-z_][\\w.\\-/]*)\\1[ \\t]*([:=])(?!//)[ \\t]*");
  private static final Pattern BLOCK_LINE = Pattern.compile("^([ \\t]*)((?:-[ \\t]+)*)");
  private static final Pattern BLOCK_SCALAR = Pattern.compile("[|>][-+0-9]*[ \\t]*(#.*)?");
  /** Credentials of an HTTP authorization scheme, whatever key holds them (a header list's {@code value}). */
  private static final Pattern CREDENTIALS = Pattern.compile("[\"']?(?i:bearer|basic)[ \t]+(?!\\$\\{)\\S.*");

  private final List<Pattern> secretKeys;

  /** @param secretKeys regular expressions, each matched against a whole key name */
  public SecretRedactor(List<String> secretKeys) {
    this.secretKeys = secretKeys.stream().map(Pattern::compile).toList();
  }

  public static SecretRedactor defaults() {
    return new SecretRedactor(List.of(ServerSettings.DEFAULT_SECRET_KEYS));
  }

  /** The text with every secret's value replaced by {@link #MARK}. */
  public String redact(String text) {
    if (text == null || text.indexOf(':') < 0 && text.indexOf('=') < 0) {
      return text;
    }
    List<Secret> secrets = secrets(text, false);
    if (secrets.isEmpty()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int at = 0;
    for (Secret secret : secrets) {
      out.append(text, at, secret.start()).append(mark(secret.value(text)));
      at = secret.end();
    }
    return out.append(text, at, text.length()).toString();
  }

  /**
   * The mark for a value: quoted as the value was, so that the redacted text splits into keys and
   * values as the original does (text after a quoted secret stays outside its value).
   */
  private static String mark(String value) {
    return quoted(value) ? value.charAt(0) + MARK + value.charAt(0) : MARK;
  }

  private static boolean quoted(String value) {
    char first = value.isEmpty() ? ' ' : value.charAt(0);
    return value.length() >= 2 && (first == '"' || first == '\'') && value.charAt(value.length() - 1) == first;
  }

  /**
   * The text with each {@link #MARK} under a secret key replaced by the value {@code previous} has
   * under the same key path (in order, where a path occurs more than once).
   *
   * @throws IllegalArgumentException naming the keys whose marks {@code previous} has no value for
   */
  public String restore(String text, String previous) {
    // A mark is the value it stands for, quoted or not; one at the start of a longer value stands for
    // that value's beginning (what follows it on the line is not part of it).
    List<Secret> marks = new ArrayList<>();
    for (Secret secret : secrets(text, true)) {
      String value = secret.value(text);
      if (value.equals("'" + MARK + "'") || value.equals('"' + MARK + '"')) {
        marks.add(secret);
      } else if (value.startsWith(MARK)) {
        marks.add(new Secret(secret.path(), secret.start(), secret.start() + MARK.length()));
      }
    }
    if (marks.isEmpty()) {
      return text;
    }
    Map<String, List<String>> stored = new HashMap<>();
    if (previous != null) {
      for (Secret secret : secrets(previous, false)) {
        stored.computeIfAbsent(secret.path(), path -> new ArrayList<>()).add(secret.value(previous));
      }
    }
    StringBuilder out = new StringBuilder(text.length());
    List<String> missing = new ArrayList<>();
    int at = 0;
    for (Secret mark : marks) {
      List<String> values = stored.getOrDefault(mark.path(), List.of());
      String value = values.isEmpty() ? null : values.remove(0);
      if (value == null || value.equals(MARK) || mark(value).equals(value) && value.contains(MARK)) {
        missing.add(mark.path());
        continue;
      }
      out.append(text, at, mark.start()).append(value);
      at = mark.end();
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("the body has " + MARK + " for " + String.join(", ", missing)
          + ", and the latest version has no value there to keep; write the value, or take it from the"
          + " environment with ${env:NAME}");
    }
    return out.append(text, at, text.length()).toString();
  }

  /** A secret's value at [start, end) of the text, under the key path {@code path} (keys joined by '.'). */
  private record Secret(String path, int start, int end) {
    String value(String text) {
      return text.substring(start, end);
    }
  }

  /**
   * @param redacted the text is one this redactor wrote: no value is skipped, as the original's was
   *     only where it became a mark. (A header name may read as a secret only once redaction changed
   *     it; the value beside it, which the original did not hide, can hold marks of its own.)
   */
  private List<Secret> secrets(String text, boolean redacted) {
    List<Secret> found = new ArrayList<>();
    // The keys of the block mappings enclosing the current line, with their indents.
    List<int[]> indents = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    // Where a header pair's name was a secret key: its line and column, so the value beside it is one.
    int secretNameLine = -1;
    int secretNameColumn = -1;
    int lineNumber = 0;
    int lineStart = 0;
    while (lineStart < text.length()) {
      int lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd < 0) {
        lineEnd = text.length();
      }
      String line = text.substring(lineStart, lineEnd);
      lineNumber++;
      Matcher block = BLOCK_LINE.matcher(line);
      block.find();
      int indent = block.end();
      boolean blank = line.isBlank() || line.substring(indent).startsWith("#");
      if (!blank) {
        while (!indents.isEmpty() && indents.get(indents.size() - 1)[0] >= indent) {
          indents.remove(indents.size() - 1);
          keys.remove(keys.size() - 1);
        }
        if (indent < secretNameColumn) {
          secretNameColumn = -1;
        }
      }
      int next = lineEnd + 1;
      Matcher key = KEY.matcher(line);
      int from = indent;
      while (!blank && from < line.length() && key.find(from)) {
        boolean atBlockStart = key.start() == indent;
        String name = key.group(2);
        String path = String.join(".", keys) + (keys.isEmpty() ? "" : ".") + name;
        int valueStart = key.end();
        int valueEnd = valueEnd(line, valueStart, atBlockStart && key.group(3).equals(":"));
        if (atBlockStart && key.group(3).equals(":")) {
          indents.add(new int[] {indent});
          keys.add(name);
        }
        String value = line.substring(valueStart, valueEnd);
        boolean besideSecretName = name.equals("value")
            && (secretNameLine == lineNumber || secretNameColumn == key.start() && atBlockStart);
        boolean hidden = secret(name) || besideSecretName || CREDENTIALS.matcher(value).matches()
            || value.startsWith(MARK) || unquoted(value).equals(MARK);
        if (name.equals("name")) {
          boolean secretName = secret(unquoted(value));
          secretNameLine = secretName ? lineNumber : -1;
          secretNameColumn = secretName && atBlockStart ? key.start() : -1;
        }
        if (hidden) {
          if (atBlockStart && !redacted && BLOCK_SCALAR.matcher(value).matches()) {
            // A block scalar: its lines are those indented deeper than its key.
            int end = blockEnd(text, next, indent);
            found.add(new Secret(path, lineStart + valueStart, Math.max(lineStart + valueEnd, end)));
            next = end + 1;
            break;
          }
          if (!value.isEmpty() && !value.startsWith("${") && !value.equals("\"\"") && !value.equals("''")) {
            found.add(new Secret(path, lineStart + valueStart, lineStart + valueEnd));
          }
        }
        // Past a secret's value; into any other's, which may be a flow mapping with keys of its own.
        from = hidden && !redacted ? Math.max(valueEnd, key.end()) : key.end();
      }
      lineStart = next;
    }
    return found;
  }

  private static String unquoted(String value) {
    return quoted(value) ? value.substring(1, value.length() - 1) : value;
  }

  /** Whether values under this key are secrets. */
  public boolean secret(String key) {
    for (Pattern pattern : secretKeys) {
      if (pattern.matcher(key).matches()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Where a value that begins at {@code start} ends: a quoted one at its closing quote; in a YAML
   * block mapping at the end of the line (less a comment); elsewhere (flow mappings, log lines) at
   * the first space, comma, semicolon or closing bracket.
   */
  private static int valueEnd(String line, int start, boolean blockMapping) {
    if (start >= line.length()) {
      return start;
    }
    char first = line.charAt(start);
    if (first == '"' || first == '\'') {
      for (int i = start + 1; i < line.length(); i++) {
        char c = line.charAt(i);
        if (c == '\\' && first == '"') {
          i++;
        } else if (c == first) {
          return i + 1;
        }
      }
      return line.length();
    }
    if (blockMapping) {
      int comment = line.indexOf(" #", start);
      int end = comment < 0 ? line.length() : comment;
      while (end > start && Character.isWhitespace(line.charAt(end - 1))) {
        end--;
      }
      return end;
    }
    int end = wordEnd(line, start);
    String word = line.substring(start, end);
    if ((word.equalsIgnoreCase("Bearer") || word.equalsIgnoreCase("Basic")) && end < line.length()
        && line.charAt(end) == ' ') {
      // An authorization header's scheme: the credentials follow it.
      end = wordEnd(line, end + 1);
    }
    return end;
  }

  private static int wordEnd(String line, int start) {
    int end = start;
    while (end < line.length() && " \t,;}]&\"'".indexOf(line.charAt(end)) < 0) {
      end++;
    }
    return end;
  }

  /** The end (exclusive, before its newline) of the block scalar whose lines start at {@code from}. */
  private static int blockEnd(String text, int from, int keyIndent) {
    int end = from - 1;
    int lineStart = from;
    while (lineStart < text.length()) {
      int lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd < 0) {
        lineEnd = text.length();
      }
      String line = text.substring(lineStart, lineEnd);
      int indent = 0;
      while (indent < line.length() && line.charAt(indent) == ' ') {
        indent++;
      }
      if (!line.isBlank() && indent <= keyIndent) {
        break;
      }
      end = lineEnd;
      lineStart = lineEnd + 1;
    }
    return Math.max(end, from - 1);
  }
}

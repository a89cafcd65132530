package io.opampfleet.strictyaml;

import java.util.function.UnaryOperator;

/**
 * Expands {@code ${VAR}} and {@code ${env:VAR}} in a configuration file's values, as the collector's
 * confmap resolver does: an unset variable becomes empty, and {@code $$}
 * stands for a literal {@code $}. A {@code $} not followed by a brace (such as
 * {@code $REMOTE_CONFIG}) stays as written.
 */
public final class EnvExpander {
  private final UnaryOperator<String> environment;

  public EnvExpander(UnaryOperator<String> environment) {
    this.environment = environment;
  }

  /** @throws IllegalArgumentException for an unclosed reference or a scheme other than env */
  public String expand(String value) {
    if (value.indexOf('$') < 0) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length());
    int i = 0;
    while (i < value.length()) {
      char c = value.charAt(i);
      if (c == '$' && i + 1 < value.length() && value.charAt(i + 1) == '$') {
        out.append('$');
        i += 2;
      } else if (c == '$' && i + 1 < value.length() && value.charAt(i + 1) == '{') {
        int close = value.indexOf('}', i + 2);
        if (close < 0) {
          throw new IllegalArgumentException("'" + value + "' opens ${ without closing it");
        }
        out.append(lookup(value.substring(i + 2, close).trim()));
        i = close + 1;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private String lookup(String reference) {
    String name = reference;
    int colon = reference.indexOf(':');
    if (colon >= 0) {
      String scheme = reference.substring(0, colon);
      if (!scheme.equals("env")) {
        throw new IllegalArgumentException("${" + reference + "} uses the scheme '" + scheme
            + "'; only environment variables (${VAR} or ${env:VAR}) are expanded");
      }
      name = reference.substring(colon + 1);
    }
    if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("${" + reference + "} does not name an environment variable");
    }
    String found = environment.apply(name);
    return found == null ? "" : found;
  }
}

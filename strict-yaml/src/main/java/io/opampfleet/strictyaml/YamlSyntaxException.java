package io.opampfleet.strictyaml;

/** YAML text that does not parse, with the 1-based line and column of the first error (0 when unknown). */
public final class YamlSyntaxException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int line;
  private final int column;
  private final String reason;

  public YamlSyntaxException(int line, int column, String reason) {
    super("not valid YAML" + (line > 0 ? " at line " + line + ", column " + column : "") + ": " + firstLine(reason));
    this.line = line;
    this.column = column;
    this.reason = firstLine(reason);
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }

  public String reason() {
    return reason;
  }

  private static String firstLine(String text) {
    int newline = text == null ? -1 : text.indexOf('\n');
    return text == null ? "" : newline < 0 ? text.trim() : text.substring(0, newline).trim();
  }
}

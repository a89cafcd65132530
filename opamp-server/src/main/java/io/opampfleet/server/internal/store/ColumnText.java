package io.opampfleet.server.internal.store;

/**
 * Text as a column takes it: cut to the column's length and without NUL characters, which
 * PostgreSQL refuses in text. Agents send what they like; a row must still be written.
 */
public final class ColumnText {
  private ColumnText() {}

  public static String fit(String text, int max) {
    if (text == null) {
      return null;
    }
    String clean = text.indexOf('\0') < 0 ? text : text.replace("\0", "");
    return clean.length() <= max ? clean : clean.substring(0, max - 1) + "…";
  }
}

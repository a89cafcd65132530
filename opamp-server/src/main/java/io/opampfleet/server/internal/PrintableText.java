package io.opampfleet.server.internal;

/**
 * Text a stranger's bytes may be in (a parser's message quoting them), made fit to log and to answer:
 * printable ASCII only, and short.
 */
public final class PrintableText {
  private PrintableText() {}

  public static String of(String message, int max) {
    String text = String.valueOf(message);
    StringBuilder out = new StringBuilder(Math.min(text.length(), max + 3));
    for (int i = 0; i < text.length() && out.length() < max; i++) {
      char c = text.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return text.length() > max ? out + "..." : out.toString();
  }
}

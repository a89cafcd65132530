package io.opampfleet.server.internal.selector;

/** A selector text that does not parse; {@link #column()} points at the offending character. */
public final class SelectorException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int column;

  SelectorException(String message, int column) {
    super(message);
    this.column = column;
  }

  /** The 1-based column of the problem; one past the last character when the text ends too early. */
  public int column() {
    return column;
  }
}

package io.opampfleet.server.internal.configs.diff;

import java.util.Objects;

/**
 * One line of a diff between two texts. Line numbers are 1-based; a side on which the line does not
 * exist has number 0 (an {@link Kind#ADDED} line has {@code oldLine == 0}, a {@link Kind#REMOVED}
 * one {@code newLine == 0}).
 */
public record DiffLine(Kind kind, int oldLine, int newLine, String text) {

  /** Whether the line is in both texts, only in the new one, or only in the old one. */
  public enum Kind { SAME, ADDED, REMOVED }

  public DiffLine {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(text, "text");
    // The numbering rule is what lets callers render side-by-side views without rechecking kinds.
    boolean numbersMatchKind = switch (kind) {
      case SAME -> oldLine > 0 && newLine > 0;
      case ADDED -> oldLine == 0 && newLine > 0;
      case REMOVED -> oldLine > 0 && newLine == 0;
    };
    if (!numbersMatchKind) {
      throw new IllegalArgumentException(
          kind + " line cannot have old line " + oldLine + " and new line " + newLine);
    }
  }
}

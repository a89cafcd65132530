package io.opampfleet.server.internal.configs.diff;

import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import io.opampfleet.server.internal.configs.diff.DiffLine.Kind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Line-by-line differences between two versions of a text, as a full listing ({@link #between}) or
 * as {@code diff -u} style text ({@link #unified}). The edit script is java-diff-utils' (Myers'
 * algorithm, minimal); the listing and the GNU-style hunks are ours, as the API and UI show them.
 *
 * <p>Lines are split on {@code \n} with a trailing {@code \r} dropped, so CRLF and LF versions of a
 * config compare equal, and a final newline does not count as an extra empty line. A {@code null}
 * text is treated as empty, which is what the first version of a config is diffed against.
 */
public final class LineDiff {

  /** How many lines a diff adds and removes; a changed line counts once each way. */
  public record Summary(int added, int removed) {
    public int changed() {
      return added + removed;
    }

    public boolean identical() {
      return added == 0 && removed == 0;
    }
  }

  private LineDiff() {}

  /**
   * Every line of both texts in order: unchanged lines as SAME, and within each change the REMOVED
   * old lines before the ADDED new ones.
   */
  public static List<DiffLine> between(String oldText, String newText) {
    List<String> oldLines = lines(oldText);
    List<String> newLines = lines(newText);
    List<DiffLine> out = new ArrayList<>(Math.max(oldLines.size(), newLines.size()));
    int i = 0;
    int j = 0;
    for (AbstractDelta<String> delta : DiffUtils.diff(oldLines, newLines).getDeltas()) {
      for (; i < delta.getSource().getPosition(); i++, j++) {
        out.add(new DiffLine(Kind.SAME, i + 1, j + 1, newLines.get(j)));
      }
      for (String removed : delta.getSource().getLines()) {
        out.add(new DiffLine(Kind.REMOVED, ++i, 0, removed));
      }
      for (String added : delta.getTarget().getLines()) {
        out.add(new DiffLine(Kind.ADDED, 0, ++j, added));
      }
    }
    for (; i < oldLines.size(); i++, j++) {
      out.add(new DiffLine(Kind.SAME, i + 1, j + 1, newLines.get(j)));
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * The difference as unified diff text, laid out like GNU {@code diff -u} (hunk ranges included)
   * but with bare names in the {@code ---}/{@code +++} headers and no "No newline at end of file"
   * markers, since line splitting does not keep that distinction. Empty when the texts are equal.
   *
   * @param context unchanged lines shown around each change; changes closer than twice this are
   *     merged into one hunk
   */
  public static String unified(
      String oldName, String newName, String oldText, String newText, int context) {
    return unified(oldName, newName, between(oldText, newText), context);
  }

  /** As above, for lines {@link #between} already gave. */
  public static String unified(String oldName, String newName, List<DiffLine> lines, int context) {
    if (context < 0) {
      throw new IllegalArgumentException("context must not be negative: " + context);
    }
    StringBuilder out = new StringBuilder();
    int oldBefore = 0;
    int newBefore = 0;
    int scanned = 0;
    int index = nextChange(lines, 0);
    while (index < lines.size()) {
      int start = Math.max(index - context, 0);
      int end = hunkEnd(lines, index, context);
      // Lines skipped since the previous hunk still advance both numberings.
      for (; scanned < start; scanned++) {
        oldBefore += lines.get(scanned).kind() == Kind.ADDED ? 0 : 1;
        newBefore += lines.get(scanned).kind() == Kind.REMOVED ? 0 : 1;
      }
      int oldCount = 0;
      int newCount = 0;
      StringBuilder body = new StringBuilder();
      for (DiffLine line : lines.subList(start, end)) {
        char mark = switch (line.kind()) {
          case SAME -> ' ';
          case ADDED -> '+';
          case REMOVED -> '-';
        };
        oldCount += line.kind() == Kind.ADDED ? 0 : 1;
        newCount += line.kind() == Kind.REMOVED ? 0 : 1;
        body.append(mark).append(line.text()).append('\n');
      }
      if (out.isEmpty()) {
        out.append("--- ").append(oldName).append('\n');
        out.append("+++ ").append(newName).append('\n');
      }
      out.append("@@ -").append(range(oldBefore, oldCount))
          .append(" +").append(range(newBefore, newCount)).append(" @@\n")
          .append(body);
      oldBefore += oldCount;
      newBefore += newCount;
      scanned = end;
      index = nextChange(lines, end);
    }
    return out.toString();
  }

  /** Counts the ADDED and REMOVED lines of a diff. */
  public static Summary summarize(List<DiffLine> lines) {
    int added = 0;
    int removed = 0;
    for (DiffLine line : lines) {
      switch (line.kind()) {
        case ADDED -> added++;
        case REMOVED -> removed++;
        case SAME -> { }
      }
    }
    return new Summary(added, removed);
  }

  static List<String> lines(String text) {
    List<String> lines = new ArrayList<>();
    if (text == null || text.isEmpty()) {
      return lines;
    }
    int from = 0;
    while (from < text.length()) {
      int newline = text.indexOf('\n', from);
      int to = newline < 0 ? text.length() : newline;
      int contentEnd = to > from && text.charAt(to - 1) == '\r' ? to - 1 : to;
      lines.add(text.substring(from, contentEnd));
      from = to + 1;
    }
    return lines;
  }

  private static int nextChange(List<DiffLine> lines, int from) {
    int i = from;
    while (i < lines.size() && lines.get(i).kind() == Kind.SAME) {
      i++;
    }
    return i;
  }

  /** Exclusive end of the hunk starting with the change at {@code index}. */
  private static int hunkEnd(List<DiffLine> lines, int index, int context) {
    int end = index;
    while (true) {
      while (end < lines.size() && lines.get(end).kind() != Kind.SAME) {
        end++;
      }
      int next = nextChange(lines, end);
      // Same rule as GNU diff: a gap of at most 2*context unchanged lines does not split a hunk.
      if (next >= lines.size() || next - end > 2 * context) {
        return Math.min(end + context, lines.size());
      }
      end = next;
    }
  }

  /** GNU's range format: "start,count", bare "start" for one line, and for no lines the line before. */
  private static String range(int linesBefore, int count) {
    if (count == 0) {
      return linesBefore + ",0";
    }
    if (count == 1) {
      return Integer.toString(linesBefore + 1);
    }
    return (linesBefore + 1) + "," + count;
  }
}

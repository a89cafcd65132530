package io.opampfleet.api;

import java.util.List;

/** Two versions of a config compared line by line, and the same as a unified diff. */
public record ConfigDiff(String from, String to, Summary summary, List<Line> lines, String unified) {

  /** Lines added and removed. */
  public record Summary(int added, int removed) {}

  /** One line: SAME, ADDED or REMOVED, with its number on each side (0 on the side it is not on). */
  public record Line(String kind, int oldLine, int newLine, String text) {}
}

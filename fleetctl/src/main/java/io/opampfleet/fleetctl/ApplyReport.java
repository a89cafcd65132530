package io.opampfleet.fleetctl;

import io.opampfleet.api.ApplyResult;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What an apply changed, or a diff would: a line per change, config diffs in full, and a count. */
final class ApplyReport {
  private ApplyReport() {}

  static void print(ApplyResult result, boolean preview, boolean json, PrintWriter out) {
    if (json) {
      out.print(Json.pretty(result));
      return;
    }
    Map<String, Integer> counts = new TreeMap<>();
    for (ApplyResult.ConfigChange config : result.configs()) {
      counts.merge(config.action(), 1, Integer::sum);
      if (config.action().equals("unchanged")) {
        continue;
      }
      out.println("config " + config.name() + ": " + config.action() + " (version " + config.version() + ")");
      if (preview && config.diff() != null) {
        out.print(config.diff().endsWith("\n") ? config.diff() : config.diff() + "\n");
      }
    }
    for (ApplyResult.AssignmentChange assignment : result.assignments()) {
      counts.merge(assignment.action(), 1, Integer::sum);
      if (assignment.action().equals("unchanged")) {
        continue;
      }
      String target = (assignment.selector().isEmpty() ? "(all)" : assignment.selector()) + " -> "
          + assignment.config() + "@" + assignment.version();
      String was = assignment.was() == null ? "" : ", was " + (assignment.was().selector().isEmpty() ? "(all)"
          : assignment.was().selector()) + " -> " + assignment.was().config() + "@" + assignment.was().version();
      String sent = assignment.applied() == null ? ", matches " + assignment.matches() + " agents"
          : ", sent to " + assignment.applied() + " of " + assignment.matches() + " agents";
      out.println("assignment " + assignment.name() + ": " + assignment.action() + " (" + target + was
          + (assignment.action().equals("pruned") ? "" : sent) + ")");
    }
    if (!result.notInRequest().isEmpty()) {
      out.println("not in the directory, kept (--prune deletes them): assignments "
          + String.join(", ", result.notInRequest()));
    }
    List<String> summary = new ArrayList<>();
    counts.forEach((action, count) -> summary.add(count + " " + action));
    out.println((preview ? "would apply: " : "applied: ") + (result.changed() ? String.join(", ", summary)
        : "nothing to change" + (summary.isEmpty() ? "" : " (" + String.join(", ", summary) + ")")));
  }
}

package io.opampfleet.server.internal.api;

import io.opampfleet.api.ConfigDiff;
import io.opampfleet.api.ConfigVersionSummary;
import io.opampfleet.server.internal.configs.Assignment;
import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.configs.diff.DiffLine;
import io.opampfleet.server.internal.configs.diff.LineDiff;
import java.util.List;

/** Configs, their diffs and assignments written for the API. */
final class ConfigJson {
  private ConfigJson() {}

  static ConfigVersionSummary summary(ConfigVersion version) {
    return new ConfigVersionSummary(version.name(), version.version(), version.sha256(), version.author(),
        version.comment(), version.createdAt().toEpochMilli());
  }

  static io.opampfleet.api.ConfigVersion full(ConfigVersion version) {
    return new io.opampfleet.api.ConfigVersion(version.name(), version.version(), version.sha256(), version.author(),
        version.comment(), version.createdAt().toEpochMilli(), version.body());
  }

  /** {@code matches}: agents its selector matches now. */
  static io.opampfleet.api.Assignment assignment(Assignment assignment, int matches) {
    return new io.opampfleet.api.Assignment(assignment.name(), assignment.selector().toString(),
        assignment.configName(), assignment.version(), assignment.createdAt().toEpochMilli(), matches);
  }

  static ConfigDiff.Summary summary(List<DiffLine> lines) {
    LineDiff.Summary summary = LineDiff.summarize(lines);
    return new ConfigDiff.Summary(summary.added(), summary.removed());
  }

  static ConfigDiff diff(String from, String to, List<DiffLine> lines) {
    return new ConfigDiff(from, to, summary(lines), lines.stream()
        .map(line -> new ConfigDiff.Line(line.kind().name(), line.oldLine(), line.newLine(), line.text())).toList(),
        LineDiff.unified(from, to, lines, 3));
  }
}

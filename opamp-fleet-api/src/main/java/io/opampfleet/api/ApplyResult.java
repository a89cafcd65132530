package io.opampfleet.api;

import java.util.List;

/** What an apply changed, or a preview would change. */
public record ApplyResult(boolean applied, boolean changed, List<ConfigChange> configs,
    List<AssignmentChange> assignments, List<String> notInRequest) {

  /**
   * A config: created, changed or unchanged, and its version after; a created or changed one with
   * its lines added and removed and its unified diff from the latest version (or /dev/null), null
   * for an unchanged one.
   */
  public record ConfigChange(String name, String action, int version, ConfigDiff.Summary summary, String diff) {}

  /**
   * An assignment: created, changed, unchanged or pruned. {@code was}: a changed one as it was;
   * {@code applied} and {@code incompatible}: on an apply (not a preview) of a created or changed
   * one, the agents sent its config and those that lack components it names; null otherwise.
   */
  public record AssignmentChange(String name, String action, String selector, String config, int version,
      Was was, int matches, Integer applied, List<String> incompatible) {}

  /** A changed assignment as it was. */
  public record Was(String selector, String config, int version) {}
}

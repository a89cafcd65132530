package io.opampfleet.client;

import java.util.List;

/** What an apply changed, or a preview would change. */
public record ApplyResult(boolean applied, boolean changed, List<ConfigChange> configs,
    List<AssignmentChange> assignments, List<String> notInRequest) {

  /** A config: created, changed (with its diff) or unchanged, and its version after. */
  public record ConfigChange(String name, String action, int version, String diff) {}

  /** An assignment: created, changed, unchanged or pruned. */
  public record AssignmentChange(String name, String action, String selector, String config, int version,
      Was was, int matches, Integer applied) {}

  /** A changed assignment as it was. */
  public record Was(String selector, String config, int version) {}
}

package io.opampfleet.api;

import java.util.List;

/**
 * Configs and assignments as they should be, the body of an apply: configs by name with their
 * whole bodies, assignments naming a config (they follow its latest version, or pin NAME@VERSION).
 *
 * @param prune null: false
 * @param comment null: none
 */
public record DesiredState(List<Config> configs, List<Assignment> assignments, Boolean prune, String comment) {
  public record Config(String name, String body) {}

  /** @param selector null: every agent */
  public record Assignment(String name, String selector, String config) {}
}

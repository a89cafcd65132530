package io.opampfleet.client;

import java.util.List;

/**
 * Configs and assignments as they should be, for {@link FleetClient#apply}: configs by name with
 * their whole bodies, assignments naming a config (they follow its latest version).
 */
public record DesiredState(List<Config> configs, List<Assignment> assignments, boolean prune, String comment) {
  public record Config(String name, String body) {}

  public record Assignment(String name, String selector, String config) {}
}

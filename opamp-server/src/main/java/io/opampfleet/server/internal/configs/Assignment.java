package io.opampfleet.server.internal.configs;

import io.opampfleet.server.internal.selector.LabelSelector;
import java.time.Instant;

/** A standing rule: agents the selector matches run this config version. */
public record Assignment(String name, LabelSelector selector, String configName, int version, Instant createdAt) {
  public static Assignment of(String name, String selector, String configName, int version, Instant createdAt) {
    return new Assignment(name, LabelSelector.parse(selector), configName, version, createdAt);
  }
}

package io.opampfleet.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A rollout to start or preview: the agents a selector matches, in waves ({@code "10%,100%"}) or
 * stages by selector, each baked for a while ({@code "30s"}) before the next, stopped and rolled
 * back past the failure budget ({@code "2"} or {@code "10%"}). Null fields take the server's defaults.
 *
 * @param version null only for a rollout of a package alone
 * @param incompatible "skip" (the default) or "refuse"
 * @param hostedPackage the JSON field {@code package}
 */
public record RolloutRequest(String selector, String config, Integer version, String waves, String bake,
    String failureBudget, String applyTimeout, String incompatible, List<Stage> stages,
    @JsonProperty("package") PackageVersion hostedPackage, String offlineDeadline) {

  /** A config rollout in waves by share or count, every other field the server's default. */
  public RolloutRequest(String selector, String config, int version, String waves, String bake, String failureBudget,
      String applyTimeout) {
    this(selector, config, version, waves, bake, failureBudget, applyTimeout, null, null, null, null);
  }

  /** @param bake null: the rollout's */
  public record Stage(String selector, String bake) {}

  /**
   * @param name null: otelcol
   * @param from the hosted version agents run that report none; null: such agents are left out
   */
  public record PackageVersion(String name, String version, String from) {}
}

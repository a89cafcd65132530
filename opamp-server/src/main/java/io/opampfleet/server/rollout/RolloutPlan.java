package io.opampfleet.server.rollout;

import io.opampfleet.server.selector.LabelSelector;
import java.time.Duration;

/**
 * What a rollout does: the config version for the agents the selector matches, in waves, each wave
 * gated on its agents applying it and staying healthy for {@code bake}, within the failure budget.
 */
public record RolloutPlan(
    LabelSelector selector, String configName, int version, WavePlan waves, Duration bake, FailureBudget budget,
    Duration applyTimeout) {}

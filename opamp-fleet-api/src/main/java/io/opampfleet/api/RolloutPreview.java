package io.opampfleet.api;

import java.util.List;

/**
 * What starting a rollout would do now: how many agents each wave takes, how many wait pending, and
 * what it leaves out and why ({@code reason}); or, in {@code refused}, why it would be refused.
 */
public record RolloutPreview(String refused, int agents, List<Integer> waves, int pending, String reason) {}

package io.opampfleet.simulated;

import java.time.Duration;

/**
 * How a simulated agent answers one config: what it does, why (for a failure or a health error),
 * and how long it takes first.
 */
public record Reaction(Outcome outcome, String reason, Duration delay) {
  /** What the agent does with the config. */
  public enum Outcome {
    /** Runs the config and reports it APPLIED. */
    APPLY,
    /** Keeps the config it ran and reports this one FAILED with the reason. */
    FAIL,
    /** Runs the config, reports it APPLIED, then reports its collector unhealthy with the reason. */
    TURN_UNHEALTHY,
    /** Drops its connection without a word, as a host that dies does. */
    GO_AWAY
  }

  public static final Reaction APPLY = new Reaction(Outcome.APPLY, "", Duration.ZERO);

  public static Reaction fail(String reason) {
    return new Reaction(Outcome.FAIL, reason, Duration.ZERO);
  }

  public static Reaction turnUnhealthy(String lastError) {
    return new Reaction(Outcome.TURN_UNHEALTHY, lastError, Duration.ZERO);
  }

  public static Reaction goAway() {
    return new Reaction(Outcome.GO_AWAY, "", Duration.ZERO);
  }

  /** The same reaction, after {@code delay}; the agent reports APPLYING meanwhile. */
  public Reaction after(Duration delay) {
    return new Reaction(outcome, reason, delay);
  }
}

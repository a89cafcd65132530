package io.opampfleet.server.internal.rollout;

/** Where one agent is in a rollout. */
public enum AgentProgress {
  /** Matched but offline when the rollout started: in no wave; gets the version when it returns if the rollout succeeded. */
  PENDING,
  /** In a wave that has not started. */
  WAITING,
  /** Sent the new config; no APPLIED and healthy report yet. */
  APPLYING,
  /** Applied and healthy; must stay healthy for the bake time. */
  BAKING,
  /** Applied and stayed healthy. */
  DONE,
  /** Reported FAILED, turned unhealthy, or did not apply in time. */
  FAILED,
  /** Sent its previous config back (or told to run its local one). */
  ROLLING_BACK,
  ROLLED_BACK,
  ROLLBACK_FAILED;

  boolean inFlight() {
    return this == APPLYING || this == BAKING;
  }

  /** Whether the rollout changed this agent's config (so a rollback must change it back). */
  boolean touched() {
    return this == APPLYING || this == BAKING || this == DONE || this == FAILED;
  }
}

package io.opampfleet.server.rollout;

/** Where a rollout is in its life. The last four are final. */
public enum RolloutState {
  PENDING, RUNNING, PAUSED, ROLLING_BACK, SUCCEEDED, FAILED, ROLLED_BACK, ABORTED;

  public boolean finished() {
    return ordinal() >= SUCCEEDED.ordinal();
  }
}

package io.opampfleet.server.internal.rollout;

import java.util.Arrays;
import java.util.List;

/** Where a rollout is in its life. The last four are final. */
public enum RolloutState {
  PENDING, RUNNING, PAUSED, ROLLING_BACK, SUCCEEDED, FAILED, ROLLED_BACK, ABORTED;

  public boolean finished() {
    return ordinal() >= SUCCEEDED.ordinal();
  }

  /** The names of the states of rollouts that have not ended. */
  public static List<String> unfinished() {
    return Arrays.stream(values()).filter(state -> !state.finished()).map(Enum::name).toList();
  }
}

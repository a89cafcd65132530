package io.opampfleet.server.internal.store;

import java.util.List;

/**
 * One agent's progress in one rollout, as stored. {@code since} is epoch ms of the last state change;
 * {@code previousPackage} the package version it goes back to, null when the rollout carries none;
 * {@code staleFailure} whether the FAILED it reports for the version is the one from before its wave.
 */
public record RolloutAgentRow(
    long rolloutId, String uid, int wave, String state, String previousConfig, Integer previousVersion,
    String previousPackage, long since, String message, boolean staleFailure) {
  static final List<String> COLUMNS = List.of("rollout_id", "instance_uid", "wave", "state", "previous_config",
      "previous_version", "previous_package", "since", "message", "stale_failure");

  String key() {
    return rolloutId + "/" + uid;
  }
}

package io.opampfleet.server.store;

import java.util.List;

/** One agent's progress in one rollout, as stored. {@code since} is epoch ms of the last state change. */
public record RolloutAgentRow(
    long rolloutId, String uid, int wave, String state, String previousConfig, Integer previousVersion,
    long since, String message) {
  static final List<String> COLUMNS = List.of("rollout_id", "instance_uid", "wave", "state", "previous_config",
      "previous_version", "since", "message");

  String key() {
    return rolloutId + "/" + uid;
  }
}

package io.opampfleet.server.rollout;

import io.opampfleet.server.configs.ConfigVersion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one transition of the rollout machine asks of the world around it: configs to make agents'
 * desired ones, agents' progress to record, and whether the rollout's own state changed.
 */
final class Steps {
  /**
   * Make {@code version} the agent's desired config; null: the server desires nothing for it and,
   * when {@code drop}, tells it to drop its remote config and run its local one.
   */
  record Send(String uid, ConfigVersion version, boolean drop, String why) {}

  final List<Send> sends = new ArrayList<>();
  final Map<String, RolloutAgent> recorded = new LinkedHashMap<>();
  boolean rolloutChanged;

  void send(String uid, ConfigVersion version, String why) {
    sends.add(new Send(uid, version, false, why));
  }

  void returnToLocal(String uid, boolean drop, String why) {
    sends.add(new Send(uid, null, drop, why));
  }

  void record(RolloutAgent agent) {
    recorded.put(agent.uid, agent);
  }
}

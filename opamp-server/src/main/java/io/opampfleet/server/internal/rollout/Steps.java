package io.opampfleet.server.internal.rollout;

import io.opampfleet.server.internal.configs.ConfigVersion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one transition of the rollout machine asks of the world around it: configs to make agents'
 * desired ones, package versions to offer them, agents' progress to record, and whether the
 * rollout's own state changed.
 */
final class Steps {
  /**
   * Make {@code version} the agent's desired config; null: its local config (the server tells it
   * to drop a remote config it runs).
   */
  record Send(String uid, ConfigVersion version, String why) {}

  /** Offer the agent this package version (the package's other versions are no longer offered). */
  record Offer(String uid, PackageTarget pkg, String why) {}

  final List<Send> sends = new ArrayList<>();
  final List<Offer> offers = new ArrayList<>();
  final Map<String, RolloutAgent> recorded = new LinkedHashMap<>();
  boolean rolloutChanged;

  void send(String uid, ConfigVersion version, String why) {
    sends.add(new Send(uid, version, why));
  }

  void returnToLocal(String uid, String why) {
    sends.add(new Send(uid, null, why));
  }

  void offer(String uid, PackageTarget pkg, String why) {
    offers.add(new Offer(uid, pkg, why));
  }

  void record(RolloutAgent agent) {
    recorded.put(agent.uid, agent);
  }

  /** These steps with nothing left to store: the rollout and its agents were stored as they are now. */
  Steps stored(RolloutState state) {
    recorded.clear();
    // An end is still carried through the store's bookkeeping.
    rolloutChanged = rolloutChanged && state.finished();
    return this;
  }
}

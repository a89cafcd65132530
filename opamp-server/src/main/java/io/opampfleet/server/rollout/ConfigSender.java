package io.opampfleet.server.rollout;

import io.opampfleet.server.inventory.Agent;

/** Sends an agent the config it is now meant to run, when it is connected; otherwise when it returns. */
public interface ConfigSender {
  void sendDesiredConfig(Agent agent);
}

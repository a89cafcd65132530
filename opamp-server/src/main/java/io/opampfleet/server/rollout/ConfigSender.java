package io.opampfleet.server.rollout;

import io.opampfleet.server.configs.ConfigVersion;
import io.opampfleet.server.inventory.Agent;

/**
 * Makes a version the config an agent is meant to run: recorded, stored, noted in its history,
 * and sent now when it is connected (otherwise when it returns).
 */
public interface ConfigSender {
  void send(Agent agent, ConfigVersion version, String why, long now);

  /**
   * The server desires no version for the agent any more: it runs its local config. With
   * {@code drop}, the agent is told so now (an empty remote config) when it is connected.
   */
  void returnToLocal(Agent agent, boolean drop, String why, long now);
}

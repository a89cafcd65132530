package io.opampfleet.server.internal.rollout;

import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.packages.HostedPackage;

/**
 * Makes a version the config (or package) an agent is meant to run: recorded, stored, noted in its
 * history, and sent now when it is connected (otherwise when it returns).
 */
public interface ConfigSender {
  void send(Agent agent, ConfigVersion version, String why, long now);

  /**
   * The server desires the agent's local config, for good: an agent that runs a remote config is
   * told to drop it (an empty remote config), now when it is connected, otherwise when it returns.
   */
  void returnToLocal(Agent agent, String why, long now);

  /**
   * Offers the agent this hosted package version in place of the package's other versions: sent now
   * when it is connected, otherwise when it returns.
   */
  void offer(Agent agent, HostedPackage hosted, String why, long now);

  /**
   * Takes the desired config another server sharing the store decided and stored for the agent
   * ({@code version}, or its local config when {@code local}): not stored again; sent when the
   * agent lacks it.
   */
  void adopt(Agent agent, ConfigVersion version, boolean local);
}

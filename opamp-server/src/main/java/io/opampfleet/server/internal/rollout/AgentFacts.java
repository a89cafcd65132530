package io.opampfleet.server.internal.rollout;

import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.server.internal.configs.ConfigVersion;
import java.util.Map;

/**
 * What the rollout machine may know of one agent at one moment: what it last reported and the
 * config the server wants it to run.
 *
 * @param reportedHash the hash (hex) of the remote config its last status is about; empty for none
 * @param reportedStatus that status
 * @param desired the version the server wants it to run; null for none (it runs its local config)
 * @param packages what it has and is offered of each package, by name
 */
public record AgentFacts(boolean connected, boolean healthy, String reportedHash,
    RemoteConfigStatuses reportedStatus, String configError, String healthError, ConfigVersion desired,
    Map<String, PackageFacts> packages) {

  /** An agent that has and is offered no package. */
  public AgentFacts(boolean connected, boolean healthy, String reportedHash, RemoteConfigStatuses reportedStatus,
      String configError, String healthError, ConfigVersion desired) {
    this(connected, healthy, reportedHash, reportedStatus, configError, healthError, desired, Map.of());
  }

  /** What the agent has and is offered of this package. */
  public PackageFacts packageFacts(String name) {
    return packages.getOrDefault(name, PackageFacts.NONE);
  }

  /** The agent's status for the config of this hash (hex), UNSET when its last report is about another. */
  public RemoteConfigStatuses statusOf(String sha256) {
    return sha256.equals(reportedHash) ? reportedStatus : RemoteConfigStatuses.RemoteConfigStatuses_UNSET;
  }
}

package io.opampfleet.server.internal.rollout;

import io.opampfleet.proto.PackageStatusEnum;

/**
 * What the machine may know of one package on one agent, as the agent last reported it.
 *
 * @param has the version the agent says it has installed; empty for none
 * @param status the agent's status for {@code reportedOffer}
 * @param reportedOffer the offered version the agent's status is about
 */
public record PackageFacts(String has, PackageStatusEnum status, String reportedOffer, String error) {
  public static final PackageFacts NONE = new PackageFacts("", PackageStatusEnum.PackageStatusEnum_Installed, "", "");

  /** Installed and running: the version is the one the agent has, and its last install of it did not fail. */
  boolean installed(String version) {
    return version.equals(has) && !(version.equals(reportedOffer) && failed(version));
  }

  /** The agent reports that installing this version failed (it went back to what it had). */
  boolean failed(String version) {
    return version.equals(reportedOffer) && status == PackageStatusEnum.PackageStatusEnum_InstallFailed;
  }
}

package io.opampfleet.server.internal.rollout;

/** A hosted package version a rollout installs on its agents: a collector upgrade or downgrade. */
public record PackageTarget(String name, String version) {
  public String label() {
    return name + "@" + version;
  }
}

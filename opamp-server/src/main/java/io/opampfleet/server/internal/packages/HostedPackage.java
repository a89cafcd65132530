package io.opampfleet.server.internal.packages;

import java.time.Instant;

/**
 * A package file the server hosts: its name and version, whether it is an addon or the agent's
 * top-level package, the SHA-256 of its content, an optional detached signature, and the secret
 * token in its download URL.
 */
public record HostedPackage(
    String name, String version, boolean addon, String sha256, byte[] signature, long size, String token,
    Instant createdAt) {

  public String label() {
    return name + "@" + version;
  }
}

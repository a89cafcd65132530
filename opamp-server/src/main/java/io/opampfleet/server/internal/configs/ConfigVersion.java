package io.opampfleet.server.internal.configs;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/** One immutable, numbered version of a named configuration. */
public record ConfigVersion(
    String name, int version, String body, String sha256, String author, String comment, Instant createdAt) {

  /**
   * The hash sent with an empty config map, the specification's way to tell an agent to drop its
   * remote config and run its local one; what the agent reports once it has.
   */
  public static final String LOCAL_CONFIG_SHA256 = sha256(new byte[0]);

  /** How agents and APIs name it: {@code name@version}. */
  public String label() {
    return name + "@" + version;
  }

  /** The hash sent to agents with the config, which they echo in their remote config status. */
  public byte[] hashBytes() {
    return HexFormat.of().parseHex(sha256);
  }

  public static String sha256(String body) {
    return sha256(body.getBytes(StandardCharsets.UTF_8));
  }

  public static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}

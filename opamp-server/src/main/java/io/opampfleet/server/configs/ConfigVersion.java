package io.opampfleet.server.configs;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/** One immutable, numbered version of a named configuration. */
public record ConfigVersion(
    String name, int version, String body, String sha256, String author, String comment, Instant createdAt) {

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

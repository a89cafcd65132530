package io.opampfleet.server.internal.telemetry;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The credential an own-telemetry offer carries for an agent without a client certificate:
 * {@code <uid>.<HMAC-SHA256 of the uid>} under a key the servers share, so any of them can check it,
 * it survives restarts, and it names one agent only.
 */
public final class OwnTelemetryCredentials {
  /** Longer than any credential made here: a longer one is refused unread. */
  private static final int MAX_LENGTH = 128;

  private final SecretKeySpec key;

  public OwnTelemetryCredentials(byte[] key) {
    this.key = new SecretKeySpec(key, "HmacSHA256");
  }

  public String credential(String uid) {
    return uid + "." + signature(uid);
  }

  /** The uid the credential speaks for, when it is one this server's key made. */
  public Optional<String> uidOf(String credential) {
    if (credential == null || credential.length() > MAX_LENGTH) {
      return Optional.empty();
    }
    int dot = credential.indexOf('.');
    if (dot <= 0) {
      return Optional.empty();
    }
    String uid = credential.substring(0, dot);
    byte[] presented = credential.substring(dot + 1).getBytes(StandardCharsets.US_ASCII);
    byte[] expected = signature(uid).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(presented, expected) ? Optional.of(uid) : Optional.empty();
  }

  private String signature(String uid) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(
          mac.doFinal(("own-telemetry:" + uid).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available: " + e.getMessage(), e);
    }
  }
}

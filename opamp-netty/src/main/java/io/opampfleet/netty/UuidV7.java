package io.opampfleet.netty;

import java.security.SecureRandom;
import java.util.UUID;

/** UUID version 7 (RFC 9562): a millisecond timestamp then random bits, as OpAMP prefers for instance uids. */
public final class UuidV7 {
  private static final SecureRandom RANDOM = new SecureRandom();

  private UuidV7() {}

  public static UUID generate() {
    return at(System.currentTimeMillis());
  }

  static UUID at(long unixMillis) {
    long random = RANDOM.nextLong();
    long high = (unixMillis << 16) | 0x7000L | (random & 0x0FFFL);
    long low = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low);
  }
}

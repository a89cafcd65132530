package io.opampfleet.certs;

import java.time.Duration;
import java.time.Instant;

/** When a certificate is valid: from {@code notBefore} to {@code notAfter}, both inclusive. */
public record Validity(Instant notBefore, Instant notAfter) {
  /** Tolerates clocks a little behind the issuer's on the machines that check the certificate. */
  static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  public Validity {
    if (!notAfter.isAfter(notBefore)) {
      throw new PkiException("a certificate must end after it starts: " + notBefore + " to " + notAfter);
    }
  }

  /** Valid from a few minutes ago for the given number of days. */
  public static Validity days(long days) {
    if (days < 1) {
      throw new PkiException("a certificate must be valid for at least one day, not " + days);
    }
    Instant now = Instant.now();
    return new Validity(now.minus(CLOCK_SKEW), now.plus(Duration.ofDays(days)));
  }

  /** Valid from a few minutes ago for the given time. */
  public static Validity of(Duration length) {
    if (length.isNegative() || length.isZero()) {
      throw new PkiException("a certificate must be valid for some time, not " + length);
    }
    Instant now = Instant.now();
    return new Validity(now.minus(CLOCK_SKEW), now.plus(length));
  }

  public Duration length() {
    return Duration.between(notBefore, notAfter);
  }
}

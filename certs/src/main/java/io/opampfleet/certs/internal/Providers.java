package io.opampfleet.certs.internal;

import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The JCA provider for EC keys and ECDSA signatures: Bouncy Castle's is several times faster than
 * the JDK's on P-256, which decides how fast a load test's 50,000 client certificates are made.
 * Used by instance, never registered, so nothing else in the JVM changes.
 */
public final class Providers {
  public static final Provider BOUNCY_CASTLE = new BouncyCastleProvider();

  private Providers() {}
}

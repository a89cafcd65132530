package io.opampfleet.certs;

import java.nio.ByteBuffer;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A client's check of servers for a process that opens thousands of connections to the same few
 * servers (a load test's agents): a server certificate the JDK accepted for a host is accepted again
 * for that host while it is valid, without verifying its chain anew (a millisecond of the client's CPU
 * per connection on JDK 17). Everything else, refusals included, is the JDK's to decide.
 */
final class RememberedServerTrust extends DelegatingTrust {
  private static final int KEPT = 256;

  private final Set<Accepted> accepted = ConcurrentHashMap.newKeySet();

  private record Accepted(String host, ByteBuffer certificate) {}

  RememberedServerTrust(X509ExtendedTrustManager jdk) {
    super(jdk);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    Accepted seen = chain == null || chain.length == 0 ? null : new Accepted(engine.getPeerHost(), encoded(chain[0]));
    if (seen != null && accepted.contains(seen)) {
      chain[0].checkValidity();
      return;
    }
    jdk.checkServerTrusted(chain, authType, engine);
    if (seen != null && accepted.size() < KEPT) {
      accepted.add(seen);
    }
  }

  private static ByteBuffer encoded(X509Certificate certificate) throws CertificateEncodingException {
    return ByteBuffer.wrap(certificate.getEncoded());
  }
}

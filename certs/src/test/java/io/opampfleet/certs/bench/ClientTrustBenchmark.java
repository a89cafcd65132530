package io.opampfleet.certs.bench;

import io.opampfleet.certs.CaSignedClientTrust;
import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.KeyAlgorithm;
import io.opampfleet.certs.Validity;
import java.io.ByteArrayInputStream;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A server's check of one agent's client certificate, as each new mutual-TLS connection makes it:
 * the JDK's trust manager (the baseline, what Netty builds from a CA file) next to
 * {@link CaSignedClientTrust}. Distinct certificates in turn, as in a fleet's ramp, each read
 * afresh from its bytes as a TLS library hands it over (the JDK's certificate object remembers the
 * last key it verified, so reusing objects would time a cache). One thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class ClientTrustBenchmark {
  private byte[][] encoded;
  private CertificateFactory parser;
  private X509TrustManager jdk;
  private CaSignedClientTrust caSigned;
  private int next;

  @Setup
  public void setUp() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("Benchmark CA", KeyAlgorithm.EC_P256, Validity.days(2));
    encoded = new byte[1_000][];
    for (int i = 0; i < encoded.length; i++) {
      encoded[i] = ca.issueClient("agent-" + i, Validity.days(1)).certificate().getEncoded();
    }
    parser = CertificateFactory.getInstance("X.509");
    KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
    anchors.load(null, null);
    anchors.setCertificateEntry("ca", ca.certificate());
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(anchors);
    jdk = (X509TrustManager) factory.getTrustManagers()[0];
    caSigned = CaSignedClientTrust.of(ca.certificate());
  }

  private X509Certificate[] nextChain() throws CertificateException {
    next = (next + 1) % encoded.length;
    return new X509Certificate[] {(X509Certificate) parser.generateCertificate(new ByteArrayInputStream(encoded[next]))};
  }

  @Benchmark
  public X509Certificate[] floorReadingTheCertificate() throws CertificateException {
    return nextChain();
  }

  @Benchmark
  public void baselineJdkTrustManager() throws CertificateException {
    jdk.checkClientTrusted(nextChain(), "ECDHE_ECDSA");
  }

  @Benchmark
  public void caSignedClientTrust() throws CertificateException {
    caSigned.checkClientTrusted(nextChain(), "ECDHE_ECDSA");
  }
}

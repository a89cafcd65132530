package io.opampfleet.certs.bench;

import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.CertifiedKey;
import io.opampfleet.certs.KeyAlgorithm;
import io.opampfleet.certs.Validity;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Client certificates issued per second on every core (EC P-256: a new key pair and a CA
 * signature each), next to the floor of the same work on the JDK's own EC provider: one key pair
 * and one ECDSA signature, no certificate. 50,000 certificates take 50,000 / score seconds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@Threads(Threads.MAX)
public class ClientIssueBenchmark {
  private final AtomicLong next = new AtomicLong();
  private final byte[] toBeSigned = new byte[400];
  private CertificateAuthority ca;
  private Validity validity;

  @Setup
  public void setUp() {
    ca = CertificateAuthority.create("Benchmark CA", KeyAlgorithm.EC_P256, Validity.days(2));
    validity = Validity.days(1);
  }

  @Benchmark
  public CertifiedKey issueClientCertificate() {
    return ca.issueClient("agent-" + next.incrementAndGet(), validity);
  }

  @Benchmark
  public byte[] baselineJdkKeyPairAndSignature() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", "SunEC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = generator.generateKeyPair();
    Signature signature = Signature.getInstance("SHA256withECDSA", "SunEC");
    signature.initSign(keys.getPrivate());
    signature.update(toBeSigned);
    return signature.sign();
  }
}

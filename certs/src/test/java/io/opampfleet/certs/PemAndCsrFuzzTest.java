package io.opampfleet.certs;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Duration;

/**
 * PEM text and certificate requests as an agent or an operator sends them: each is read, or signed
 * under the policy, or refused with a {@link PkiException} that says why; nothing else escapes. In
 * the test command it replays its committed inputs; {@code scripts/fuzz} fuzzes it.
 */
class PemAndCsrFuzzTest {
  private static final CertificateAuthority CA =
      CertificateAuthority.create("fuzz CA", KeyAlgorithm.EC_P256, Validity.days(1));
  private static final CsrPolicy POLICY = CsrPolicy.clientCertificates("[0-9a-f-]{36}", Duration.ofDays(1));

  @FuzzTest(maxDuration = "30s")
  void pemAndCertificateRequests(FuzzedDataProvider data) {
    boolean asRequest = data.consumeBoolean();
    String text = data.consumeRemainingAsString();
    try {
      if (asRequest) {
        CA.signClientRequest(Pem.parseCertificateRequest("fuzz", text), POLICY);
      } else {
        Pem.parseAll("fuzz", text);
      }
    } catch (PkiException refused) {
      // Said why: the test command and the fuzzer fail on any other exception.
    }
  }
}

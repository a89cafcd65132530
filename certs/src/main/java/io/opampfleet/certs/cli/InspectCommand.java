package io.opampfleet.certs.cli;

import io.opampfleet.certs.Pem;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Shows what PEM files hold: certificates, keys and signing requests.")
final class InspectCommand implements Callable<Integer> {
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  @Spec
  private CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILE")
  private List<Path> files;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    for (Path file : files) {
      for (Object object : Pem.readAll(file)) {
        if (object instanceof X509Certificate certificate) {
          describe(out, file, certificate);
        } else if (object instanceof PrivateKey key) {
          out.printf("%s: private key, %s%n", file, keyType(key));
        } else if (object instanceof PublicKey key) {
          out.printf("%s: public key, %s%n", file, keyType(key));
        } else if (object instanceof PKCS10CertificationRequest request) {
          describe(out, file, request);
        }
      }
    }
    return 0;
  }

  private static void describe(PrintWriter out, Path file, X509Certificate certificate) throws CertificateParsingException {
    Instant now = Instant.now();
    Instant notAfter = certificate.getNotAfter().toInstant();
    String state = now.isAfter(notAfter) ? "EXPIRED"
        : now.isBefore(certificate.getNotBefore().toInstant()) ? "NOT YET VALID"
        : Duration.between(now, notAfter).toDays() + " days left";
    out.printf("%s: certificate%n", file);
    out.printf("  subject: %s%n", certificate.getSubjectX500Principal().getName());
    out.printf("  issuer:  %s%n", certificate.getIssuerX500Principal().getName());
    out.printf("  serial:  %s%n", certificate.getSerialNumber().toString(16));
    out.printf("  valid:   %s to %s (%s)%n", certificate.getNotBefore().toInstant(), notAfter, state);
    out.printf("  key:     %s%n", keyType(certificate.getPublicKey()));
    out.printf("  use:     %s%n", uses(certificate));
    List<String> names = new ArrayList<>();
    if (certificate.getSubjectAlternativeNames() != null) {
      for (List<?> name : certificate.getSubjectAlternativeNames()) {
        int type = (Integer) name.get(0);
        names.add((type == 2 ? "DNS:" : type == 7 ? "IP:" : type == 6 ? "URI:" : "other:") + name.get(1));
      }
    }
    if (!names.isEmpty()) {
      out.printf("  names:   %s%n", String.join(", ", names));
    }
  }

  private static void describe(PrintWriter out, Path file, PKCS10CertificationRequest request) throws Exception {
    PublicKey key = new JcaPKCS10CertificationRequest(request).getPublicKey();
    boolean signed = request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key));
    out.printf("%s: certificate signing request%n", file);
    out.printf("  subject:   %s%n", request.getSubject());
    out.printf("  key:       %s%n", keyType(key));
    out.printf("  signature: %s%n", signed ? "valid" : "INVALID (not signed by the key it carries)");
  }

  private static String uses(X509Certificate certificate) throws CertificateParsingException {
    if (certificate.getBasicConstraints() >= 0) {
      return "certificate authority";
    }
    List<String> purposes = certificate.getExtendedKeyUsage();
    List<String> uses = new ArrayList<>();
    if (purposes != null && purposes.contains(SERVER_AUTH)) {
      uses.add("TLS server");
    }
    if (purposes != null && purposes.contains(CLIENT_AUTH)) {
      uses.add("TLS client");
    }
    return uses.isEmpty() ? "unrestricted" : String.join(", ", uses);
  }

  private static String keyType(java.security.Key key) {
    if (key instanceof ECKey ec) {
      return "EC " + ec.getParams().getCurve().getField().getFieldSize() + " bits";
    }
    if (key instanceof RSAKey rsa) {
      return "RSA " + rsa.getModulus().bitLength() + " bits";
    }
    return key.getAlgorithm();
  }
}

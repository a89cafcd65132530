package io.opampfleet.certs.cli;

import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.CsrPolicy;
import io.opampfleet.certs.Pem;
import io.opampfleet.certs.PkiException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "sign", mixinStandardHelpOptions = true,
    description = "Signs an agent's certificate signing request under a policy, as a client certificate.")
final class SignCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Option(names = "--ca", required = true, paramLabel = "DIR", description = "The CA's directory.")
  private Path caDirectory;

  @Option(names = "--csr", required = true, paramLabel = "FILE", description = "The request, PEM.")
  private Path csr;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where the certificate goes (with the CA's).")
  private Path out;

  @Option(names = "--allow-cn", defaultValue = "[A-Za-z0-9._@:-]{1,128}", paramLabel = "REGEX",
      description = "The subject common names allowed (default: ${DEFAULT-VALUE}).")
  private String allowedCommonName;

  @Option(names = "--days", defaultValue = "365", description = "Validity in days (default: ${DEFAULT-VALUE}).")
  private long days;

  @Override
  public Integer call() {
    CsrPolicy policy;
    try {
      policy = CsrPolicy.clientCertificates(allowedCommonName, Duration.ofDays(days));
    } catch (PatternSyntaxException e) {
      throw new PkiException("--allow-cn '" + allowedCommonName + "' is not a regular expression: " + e.getDescription());
    }
    CertificateAuthority ca = CaFiles.read(caDirectory);
    X509Certificate certificate;
    try {
      certificate = ca.signClientRequest(Pem.readCertificateRequest(csr), policy);
    } catch (PkiException e) {
      throw e.getMessage().startsWith(csr.toString()) ? e : new PkiException(csr + ": " + e.getMessage(), e);
    }
    Pem.write(out, certificate, ca.certificate());
    spec.commandLine().getOut().printf("wrote %s for %s, valid until %s%n",
        out, certificate.getSubjectX500Principal().getName(), certificate.getNotAfter().toInstant());
    return 0;
  }
}

package io.opampfleet.certs.cli;

import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.KeyAlgorithm;
import io.opampfleet.certs.PkiException;
import io.opampfleet.certs.Validity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "ca", mixinStandardHelpOptions = true,
    description = "Creates a certificate authority: DIR/ca.crt and DIR/ca.key.")
final class CaCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for ca.crt and ca.key.")
  private Path out;

  @Option(names = "--name", defaultValue = "OpAMP Fleet CA", description = "Common name (default: ${DEFAULT-VALUE}).")
  private String name;

  @Option(names = "--key-type", defaultValue = "ec-p256", paramLabel = "TYPE",
      description = "ec-p256, rsa-2048 or rsa-3072 (default: ${DEFAULT-VALUE}).")
  private String keyType;

  @Option(names = "--days", defaultValue = "3650", description = "Validity in days (default: ${DEFAULT-VALUE}).")
  private long days;

  @Option(names = "--force", description = "Replace a CA that is already there.")
  private boolean force;

  @Override
  public Integer call() {
    if (!force && Files.exists(out.resolve(CaFiles.KEY))) {
      throw new PkiException(out.resolve(CaFiles.KEY) + ": a CA is already there; pass --force to replace it");
    }
    CertificateAuthority ca = CertificateAuthority.create(name, KeyAlgorithm.parse(keyType), Validity.days(days));
    CaFiles.write(out, ca);
    spec.commandLine().getOut().printf("wrote %s and %s (%s, valid until %s)%n",
        out.resolve(CaFiles.CERTIFICATE), out.resolve(CaFiles.KEY), ca.keyAlgorithm(),
        ca.certificate().getNotAfter().toInstant());
    return 0;
  }
}

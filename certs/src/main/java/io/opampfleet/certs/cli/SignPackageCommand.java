package io.opampfleet.certs.cli;

import io.opampfleet.certs.PackageSignatures;
import io.opampfleet.certs.Pem;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "sign-package", mixinStandardHelpOptions = true,
    description = "Signs a package file: prints the detached signature, base64, for the server's package upload."
        + " Supervisors whose agent::package::verifier trusts the matching public key or certificate install it.")
final class SignPackageCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Option(names = "--key", required = true, paramLabel = "FILE", description = "The publisher's private key, PEM.")
  private Path key;

  @Option(names = "--file", required = true, paramLabel = "FILE", description = "The package file.")
  private Path file;

  @Override
  public Integer call() {
    byte[] signature = PackageSignatures.sign(Pem.readPrivateKey(key), file);
    spec.commandLine().getOut().println(Base64.getEncoder().encodeToString(signature));
    return 0;
  }
}

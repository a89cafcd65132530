package io.opampfleet.certs.cli;

import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.CertifiedKey;
import io.opampfleet.certs.KeyAlgorithm;
import io.opampfleet.certs.Pem;
import io.opampfleet.certs.ServerNames;
import io.opampfleet.certs.Validity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "server", mixinStandardHelpOptions = true,
    description = "Issues a server certificate: DIR/NAME.crt (with the CA's) and DIR/NAME.key.")
final class ServerCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Option(names = "--ca", required = true, paramLabel = "DIR", description = "The CA's directory.")
  private Path caDirectory;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the certificate and key.")
  private Path out;

  @Option(names = "--dns", split = ",", paramLabel = "NAME", description = "DNS names (comma-separated or repeated).")
  private List<String> dnsNames = new ArrayList<>();

  @Option(names = "--ip", split = ",", paramLabel = "ADDRESS", description = "IP addresses (comma-separated or repeated).")
  private List<String> ipAddresses = new ArrayList<>();

  @Option(names = "--name", defaultValue = "server", description = "Base file name (default: ${DEFAULT-VALUE}).")
  private String name;

  @Option(names = "--key-type", paramLabel = "TYPE", description = "ec-p256, rsa-2048 or rsa-3072 (default: the CA's).")
  private String keyType;

  @Option(names = "--days", defaultValue = "397", description = "Validity in days (default: ${DEFAULT-VALUE}).")
  private long days;

  @Override
  public Integer call() {
    CertificateAuthority ca = CaFiles.read(caDirectory);
    ServerNames names = dnsNames.isEmpty() && ipAddresses.isEmpty()
        ? ServerNames.localhost()
        : new ServerNames(dnsNames, ipAddresses);
    KeyAlgorithm algorithm = keyType == null ? ca.keyAlgorithm() : KeyAlgorithm.parse(keyType);
    CertifiedKey server = ca.issueServer(names, algorithm, Validity.days(days));
    Path key = out.resolve(name + ".key");
    Path certificate = out.resolve(name + ".crt");
    Pem.write(key, server.privateKey());
    Pem.write(certificate, (Object[]) server.chainArray());
    spec.commandLine().getOut().printf("wrote %s and %s for DNS %s, IP %s%n",
        certificate, key, names.dnsNames(), names.ipAddresses());
    return 0;
  }
}

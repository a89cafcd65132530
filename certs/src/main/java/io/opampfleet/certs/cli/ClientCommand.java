package io.opampfleet.certs.cli;

import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.CertificateIdentity;
import io.opampfleet.certs.CertifiedKey;
import io.opampfleet.certs.Pem;
import io.opampfleet.certs.PkiException;
import io.opampfleet.certs.Validity;
import java.nio.file.Path;
import java.util.IllegalFormatException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "client", mixinStandardHelpOptions = true,
    description = "Issues client certificates whose subject names the agent: DIR/ID.crt (with the CA's)"
        + " and DIR/ID.key, on every core.")
final class ClientCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Option(names = "--ca", required = true, paramLabel = "DIR", description = "The CA's directory.")
  private Path caDirectory;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the certificates and keys.")
  private Path out;

  @Option(names = "--count", defaultValue = "1", description = "How many (default: ${DEFAULT-VALUE}).")
  private long count;

  @Option(names = "--id-format", defaultValue = "agent-%05d", paramLabel = "FORMAT",
      description = "Agent identity for number N, a Java format (default: ${DEFAULT-VALUE}).")
  private String idFormat;

  @Option(names = "--first", defaultValue = "1", paramLabel = "N", description = "The first number (default: ${DEFAULT-VALUE}).")
  private long first;

  @Option(names = "--days", defaultValue = "365", description = "Validity in days (default: ${DEFAULT-VALUE}).")
  private long days;

  @Override
  public Integer call() {
    if (count < 1) {
      throw new PkiException("--count must be at least 1, not " + count);
    }
    List<String> identities = identities();
    CertificateAuthority ca = CaFiles.read(caDirectory);
    Validity validity = Validity.days(days);
    long started = System.nanoTime();
    ca.issueClients(identities, validity, this::write);
    double seconds = (System.nanoTime() - started) / 1e9;
    spec.commandLine().getOut().printf("issued %d client certificates into %s in %.2f s (%.0f per second)%n",
        identities.size(), out, seconds, identities.size() / seconds);
    return 0;
  }

  private List<String> identities() {
    List<String> identities;
    try {
      identities = LongStream.range(first, first + count).mapToObj(n -> String.format(idFormat, n)).toList();
    } catch (IllegalFormatException e) {
      throw new PkiException("--id-format '" + idFormat + "' is not a format for one number, such as agent-%05d");
    }
    for (String identity : identities) {
      if (!identity.matches("[A-Za-z0-9._@:-]+")) {
        throw new PkiException("--id-format gives the identity '" + identity
            + "', which cannot be a file name; use letters, digits and . _ @ : -");
      }
    }
    if (identities.stream().distinct().count() != identities.size()) {
      throw new PkiException("--id-format '" + idFormat + "' gives the same identity twice; put %d in it");
    }
    return identities;
  }

  private void write(CertifiedKey client) {
    String identity = CertificateIdentity.commonName(client.certificate());
    Pem.write(out.resolve(identity + ".key"), client.privateKey());
    Pem.write(out.resolve(identity + ".crt"), (Object[]) client.chainArray());
  }
}

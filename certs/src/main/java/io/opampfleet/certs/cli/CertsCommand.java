package io.opampfleet.certs.cli;

import io.opampfleet.certs.PkiException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code certs}: the PKI for OpAMP Fleet's mutual TLS, for operators and scripts. */
@Command(
    name = "certs",
    mixinStandardHelpOptions = true,
    version = "certs (OpAMP Fleet) 0.1",
    description = "Makes the certificates OpAMP Fleet's mutual TLS needs: a CA, server and client"
        + " certificates, and certificates for agents' signing requests, and signatures for packages.",
    subcommands = {
        CaCommand.class, ServerCommand.class, ClientCommand.class, SignCommand.class, SignPackageCommand.class,
        InspectCommand.class
    })
public final class CertsCommand implements Runnable {
  /** Exit code for input the command cannot use: a missing file, bad PEM, a broken policy. */
  static final int BAD_INPUT = 1;

  @Spec
  private CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a command: ca, server, client, sign, sign-package or inspect");
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    System.exit(execute(out, err, args));
  }

  /** Runs the command line and returns its exit code; errors go to {@code err} as one line. */
  static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine commandLine = new CommandLine(new CertsCommand());
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setExecutionExceptionHandler((exception, line, parsed) -> {
      err.println("certs " + line.getCommandName() + ": " + describe(exception));
      err.flush();
      return BAD_INPUT;
    });
    int code = commandLine.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  private static String describe(Exception exception) {
    if (exception instanceof PkiException) {
      return exception.getMessage();
    }
    return "unexpected " + exception.getClass().getSimpleName() + ": " + exception.getMessage();
  }
}

package io.opampfleet.fleetctl;

import io.opampfleet.client.FleetApiException;
import io.opampfleet.client.FleetUnreachableException;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine;

/** The command line for a fleet, on the server's admin API. */
@Command(name = "fleetctl", mixinStandardHelpOptions = true, version = "fleetctl 0.1.0",
    description = "Look at an OpAMP Fleet server's fleet, and keep its configs and assignments as code.",
    subcommands = {GetCommand.class, AgentCommands.Describe.class, DiffCommand.class, ApplyCommand.class,
        RolloutCommand.class, AgentCommands.Push.class, AgentCommands.Restart.class},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:done (diff: no differences; rollout watch: it succeeded)",
        "1:diff: there are differences; rollout watch: it did not succeed",
        "2:a wrong flag or a file with a mistake; nothing was sent",
        "3:the server refused the call (token, role, or what was sent)",
        "4:the server could not be reached, or failed"})
public final class Fleetctl implements Runnable {
  final Map<String, String> environment;
  final PrintWriter out;

  @Mixin
  Connection connection;

  Fleetctl(Map<String, String> environment, PrintWriter out) {
    this.environment = environment;
    this.out = out;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  static int run(String[] args, Map<String, String> environment, PrintWriter out, PrintWriter err) {
    CommandLine command = new CommandLine(new Fleetctl(environment, out));
    command.setOut(out);
    command.setErr(err);
    command.setExecutionExceptionHandler((failure, line, parsed) -> {
      err.println("fleetctl: " + failure.getMessage());
      if (failure instanceof FleetApiException refused) {
        return refused.status() >= 500 ? ExitCode.UNREACHABLE : ExitCode.REFUSED;
      }
      if (failure instanceof FleetUnreachableException) {
        return ExitCode.UNREACHABLE;
      }
      if (failure instanceof UsageException) {
        return ExitCode.USAGE;
      }
      throw failure;
    });
    int status = command.execute(args);
    out.flush();
    err.flush();
    return status;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(new CommandLine(this), "name a command: get, describe, diff, apply, rollout, push or restart");
  }
}

package io.opampfleet.fleetctl;

import io.opampfleet.api.ApplyResult;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code fleetctl apply -f DIR}: the directory's configs and assignments, in one transaction. */
@Command(name = "apply", mixinStandardHelpOptions = true,
    description = "Apply a directory of configs and assignments in one transaction: changed configs get a new"
        + " version, and new or changed assignments send their config to the agents they match at once."
        + " Applying it again changes nothing.")
final class ApplyCommand implements Callable<Integer> {
  @ParentCommand
  Fleetctl parent;

  @Mixin
  DirectoryOptions directory;

  @Option(names = {"-m", "--comment"}, paramLabel = "TEXT", defaultValue = "",
      description = "Kept with each new config version (for example the commit it came from)")
  String comment;

  @Override
  public Integer call() {
    ApplyResult result = parent.connection.client(parent.environment).apply(directory.read(comment, parent.environment));
    ApplyReport.print(result, false, directory.output.equals("json"), parent.out);
    return ExitCode.OK;
  }
}

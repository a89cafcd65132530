package io.opampfleet.fleetctl;

import io.opampfleet.api.ApplyResult;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code fleetctl diff -f DIR}: what {@code apply} would change, changing nothing. */
@Command(name = "diff", mixinStandardHelpOptions = true,
    description = "Show what applying a directory of configs and assignments would change. Exit status 1 when"
        + " something would.")
final class DiffCommand implements Callable<Integer> {
  @ParentCommand
  Fleetctl parent;

  @Mixin
  DirectoryOptions directory;

  @Override
  public Integer call() {
    ApplyResult result = parent.connection.client(parent.environment).preview(directory.read("", parent.environment));
    ApplyReport.print(result, true, directory.output.equals("json"), parent.out);
    return result.changed() ? ExitCode.NOT_SO : ExitCode.OK;
  }
}

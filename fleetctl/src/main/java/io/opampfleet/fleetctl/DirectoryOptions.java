package io.opampfleet.fleetctl;

import io.opampfleet.api.DesiredState;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** The directory {@code diff} and {@code apply} read, and whether what it leaves out is pruned. */
final class DirectoryOptions {
  @Option(names = {"-f", "--filename"}, required = true, paramLabel = "DIR",
      description = "configs/NAME.yaml and assignments.yaml")
  Path dir;

  @Option(names = "--prune", description = "Delete the server's assignments the directory leaves out")
  boolean prune;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
      description = "text, or json: the server's whole answer, for scripts (default: ${DEFAULT-VALUE})")
  String output;

  DesiredState read(String comment, Map<String, String> environment) {
    if (!output.equals("text") && !output.equals("json")) {
      throw new UsageException("--output is text or json, not '" + output + "'");
    }
    return ConfigDirectory.read(dir, prune, comment, environment);
  }
}

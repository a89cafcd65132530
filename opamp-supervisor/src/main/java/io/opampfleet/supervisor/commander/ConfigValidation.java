package io.opampfleet.supervisor.commander;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * agent::validate_config: the collector's own {@code validate} command on a config before it
 * replaces the running one, as the Go supervisor runs it (a temporary file in the storage
 * directory, 10 seconds at most). Its output goes to a file, not a pipe read here, so a command
 * that hangs (or leaves a child holding its output open) is killed at the timeout and cannot hold
 * the supervisor's only working thread.
 */
public final class ConfigValidation {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private ConfigValidation() {}

  /**
   * What the collector says is wrong with the config, or empty when it accepts it; {@code args} follow
   * the config (a collector that needs a feature gate for the config refuses it without).
   */
  public static Optional<String> problems(Path executable, List<String> args, Map<String, String> env, Path storage,
      String yaml) throws IOException, InterruptedException {
    return problems(executable, args, env, storage, yaml, TIMEOUT);
  }

  /** The feature gates among the collector's arguments ({@code --feature-gates=x} or {@code --feature-gates x}). */
  public static List<String> featureGates(List<String> args) {
    List<String> gates = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).startsWith("--feature-gates=")) {
        gates.add(args.get(i));
      } else if (args.get(i).equals("--feature-gates") && i + 1 < args.size()) {
        gates.add(args.get(i));
        gates.add(args.get(++i));
      }
    }
    return gates;
  }

  static Optional<String> problems(Path executable, List<String> args, Map<String, String> env, Path storage,
      String yaml, Duration timeout) throws IOException, InterruptedException {
    Path file = Files.createTempFile(storage, "validate-config-", ".yaml");
    Path output = Files.createTempFile(storage, "validate-output-", ".txt");
    try {
      Files.writeString(file, yaml);
      List<String> command = new ArrayList<>(List.of(executable.toString(), "validate", "--config", file.toString()));
      command.addAll(args);
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectErrorStream(true).redirectOutput(output.toFile());
      builder.environment().putAll(env);
      Process validate = builder.start();
      if (!validate.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        validate.descendants().forEach(ProcessHandle::destroyForcibly);
        validate.destroyForcibly();
        return Optional.of("the collector's validate command did not finish within " + timeout.toMillis() + " ms");
      }
      return validate.exitValue() == 0 ? Optional.empty()
          : Optional.of("the collector refuses the config: " + Files.readString(output, StandardCharsets.UTF_8).strip());
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(output);
    }
  }
}

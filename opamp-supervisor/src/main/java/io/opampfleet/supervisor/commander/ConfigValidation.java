package io.opampfleet.supervisor.commander;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * agent::validate_config: the collector's own {@code validate} command on a config before it
 * replaces the running one, as the Go supervisor runs it (a temporary file in the storage
 * directory, 10 seconds at most).
 */
public final class ConfigValidation {
  private static final long TIMEOUT_SECONDS = 10;

  private ConfigValidation() {}

  /** What the collector says is wrong with the config, or empty when it accepts it. */
  public static Optional<String> problems(Path executable, Map<String, String> env, Path storage, String yaml)
      throws IOException, InterruptedException {
    Path file = Files.createTempFile(storage, "validate-config-", ".yaml");
    try {
      Files.writeString(file, yaml);
      ProcessBuilder builder = new ProcessBuilder(executable.toString(), "validate", "--config", file.toString())
          .redirectErrorStream(true);
      builder.environment().putAll(env);
      Process validate = builder.start();
      byte[] output = validate.getInputStream().readAllBytes();
      if (!validate.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        validate.destroyForcibly();
        return Optional.of("the collector's validate command did not finish within " + TIMEOUT_SECONDS + " s");
      }
      return validate.exitValue() == 0 ? Optional.empty()
          : Optional.of("the collector refuses the config: " + new String(output, StandardCharsets.UTF_8).strip());
    } finally {
      Files.deleteIfExists(file);
    }
  }
}

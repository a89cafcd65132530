package io.opampfleet.supervisor.commander;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigValidationTest {
  @TempDir
  Path dir;

  @Test
  void aValidateCommandThatHangsIsKilledAtItsTimeoutWithItsChildren() throws Exception {
    // Prints, then hangs in a child that keeps the output open, as a stuck collector could.
    Path collector = script("echo checking; sleep 60 & echo $! > " + dir.resolve("child.pid") + "; wait");

    long started = System.nanoTime();
    var problems = ConfigValidation.problems(collector, List.of(), Map.of(), dir, "receivers: {}\n", Duration.ofMillis(500));

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    assertThat(problems).contains("the collector's validate command did not finish within 500 ms");
    long child = Long.parseLong(Files.readString(dir.resolve("child.pid")).strip());
    await().atMost(Duration.ofSeconds(5)).until(() -> !running(child));
  }

  /** Whether the process runs: a killed one whose parent is gone may linger unreaped, which is not running. */
  private static boolean running(long pid) throws Exception {
    Path stat = Path.of("/proc/" + pid + "/stat");
    return Files.exists(stat) && !Files.readString(stat).replaceFirst("^.*\\) ", "").startsWith("Z");
  }

  @Test
  void aRefusalSaysWhatTheCollectorSaidAndLeavesNoFileBehind() throws Exception {
    Path collector = script("echo 'error decoding: unknown type: \"kafkaa\"' >&2; exit 1");

    var problems = ConfigValidation.problems(collector, List.of(), Map.of(), dir, "receivers: {}\n", Duration.ofSeconds(10));

    assertThat(problems).contains("the collector refuses the config: error decoding: unknown type: \"kafkaa\"");
    try (var files = Files.list(dir)) {
      assertThat(files.map(file -> file.getFileName().toString())).containsExactly("collector");
    }
  }

  @Test
  void theCollectorsFeatureGatesGoWithTheConfigToBeValidated() throws Exception {
    // A collector that needs a gate for the config: it says what it was asked.
    Path collector = script("echo \"$@\" >&2; exit 1");
    List<String> args = List.of("--set=x=1", "--feature-gates=+service.profilesSupport", "--feature-gates", "-a.b");

    var problems = ConfigValidation.problems(collector, ConfigValidation.featureGates(args), Map.of(), dir,
        "receivers: {}\n", Duration.ofSeconds(10));

    assertThat(problems.orElseThrow()).endsWith(" --feature-gates=+service.profilesSupport --feature-gates -a.b")
        .startsWith("the collector refuses the config: validate --config ").doesNotContain("--set");
  }

  private Path script(String body) throws Exception {
    Path script = dir.resolve("collector");
    Files.writeString(script, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }
}

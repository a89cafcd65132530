package io.opampfleet.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opampfleet.peers.RealCollector;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A supervisor killed with SIGKILL leaves no collector behind: the collector watches its parent. */
class NoOrphanIT {
  @TempDir
  Path dir;

  @Test
  void aKilledSupervisorsCollectorStopsByItself() throws Exception {
    Path config = Files.writeString(dir.resolve("supervisor.yaml"), """
        server: {endpoint: ws://127.0.0.1:9/v1/opamp}
        storage: {directory: %s}
        agent:
          executable: %s
          orphan_detection_interval: 1s
          bootstrap_timeout: 10s
        """.formatted(dir.resolve("storage"), RealCollector.binary()));
    Process supervisor = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", Path.of("target", "supervisor.jar").toAbsolutePath().toString(), "--config", config.toString())
        .redirectErrorStream(true).start();
    long collectorPid;
    try (BufferedReader output = new BufferedReader(new InputStreamReader(supervisor.getInputStream(), StandardCharsets.UTF_8))) {
      collectorPid = collectorPid(output);
      Thread.sleep(2000);
      assertThat(ProcessHandle.of(collectorPid).map(ProcessHandle::isAlive)).as("a collector that runs").contains(true);

      supervisor.destroyForcibly().waitFor();

      await("the orphaned collector stops").atMost(Duration.ofSeconds(20))
          .until(() -> ProcessHandle.of(collectorPid).map(handle -> !handle.isAlive()).orElse(true));
    } finally {
      supervisor.destroyForcibly();
    }
  }

  private static long collectorPid(BufferedReader output) throws Exception {
    Pattern running = Pattern.compile("running the collector \\(pid (\\d+)\\)");
    StringBuilder seen = new StringBuilder();
    for (String line = output.readLine(); line != null; line = output.readLine()) {
      seen.append(line).append('\n');
      Matcher matcher = running.matcher(line);
      if (matcher.find()) {
        return Long.parseLong(matcher.group(1));
      }
    }
    throw new AssertionError("the supervisor ended without running a collector:\n" + seen);
  }
}

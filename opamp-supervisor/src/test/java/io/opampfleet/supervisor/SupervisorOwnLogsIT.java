package io.opampfleet.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opampfleet.peers.RealCollector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** telemetry::logs decides the supervisor's own logs: their level and the file they go to. */
class SupervisorOwnLogsIT {
  @TempDir
  Path dir;

  @Test
  void theSupervisorLogsAtTheLevelAndToTheFileItsTelemetrySays() throws Exception {
    Path logFile = dir.resolve("supervisor.log");
    Path config = Files.writeString(dir.resolve("supervisor.yaml"), """
        server: {endpoint: ws://127.0.0.1:9/v1/opamp}
        storage: {directory: %s}
        agent: {executable: %s, bootstrap_timeout: 10s}
        telemetry: {logs: {level: debug, output_paths: [%s]}}
        """.formatted(dir.resolve("storage"), RealCollector.binary(), logFile));
    Path console = dir.resolve("console.txt");
    Process supervisor = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", Path.of("target", "supervisor.jar").toAbsolutePath().toString(), "--config", config.toString())
        .redirectErrorStream(true).redirectOutput(console.toFile()).start();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(logFile)
          && Files.readString(logFile).contains("the collector runs (pid"));
      // Debug lines too (the OpAMP client's attempts at a server that is not there).
      await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(logFile).contains("DEBUG"));
      assertThat(Files.readString(console, StandardCharsets.UTF_8)).doesNotContain("the collector runs (pid");
    } finally {
      supervisor.destroy();
      supervisor.waitFor();
    }
  }
}

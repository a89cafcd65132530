package io.opampfleet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.simulated.SimulatedAgent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API against its own OpenAPI document, fuzzed by Schemathesis (an independent tool that
 * reads only the document) for a bounded time with every check on: no server error, no status,
 * header or content type the document does not have, no request outside the document accepted,
 * none inside it refused where the document can say what is valid (schemathesis.toml names the
 * calls whose inputs need more than a schema). A fleet with an agent, a config and an assignment
 * gives the calls something to act on.
 */
class OpenApiFuzzIT {
  private static final int ADMIN_SECONDS = 60;
  private static final int VIEWER_SECONDS = 30;

  @TempDir
  Path dir;

  @Test
  void theServerAnswersOnlyAsItsDocumentSays() throws Exception {
    try (TestFleet fleet = new TestFleet(dir).start();
        SimulatedAgent agent = fleet.agent(Map.of("env", "prod"), SimulatedAgent.newUid(), false).start()) {
      await().atMost(Duration.ofSeconds(20)).until(() -> fleet.admin(TestFleet.VIEWER)
          .get("/api/v1/agents?connected=true").body().get("total").asInt() == 1);
      assertThat(fleet.admin(TestFleet.ADMIN).post("/api/v1/configs/pipeline/versions",
          Map.of("body", "receivers: {otlp: {}}\n")).status()).isEqualTo(201);

      // Every call as an admin; then the reads again as a viewer, whose answers are redacted (secrets,
      // download addresses) and must still fit the document. A viewer's 403 for the tokens is expected.
      fuzz(fleet, agent, "admin", TestFleet.ADMIN, ADMIN_SECONDS, List.of());
      fuzz(fleet, agent, "viewer", TestFleet.VIEWER, VIEWER_SECONDS,
          List.of("--include-method", "GET", "--exclude-checks", "positive_data_acceptance"));
    }
  }

  /** {@code role} names the run's log and report; {@code more}: Schemathesis's options besides. */
  private void fuzz(TestFleet fleet, SimulatedAgent agent, String role, String token, int seconds, List<String> more)
      throws Exception {
    Path log = dir.resolve("schemathesis-" + role + ".log");
    List<String> command = new ArrayList<>(List.of(schemathesis(), "--no-color",
        "--config-file", Path.of(getClass().getResource("/schemathesis.toml").toURI()).toString(),
        "run", fleet.adminUrl() + "/api/v1/openapi.json",
        "-H", "Authorization: Bearer " + token,
        "--checks", "all", "--max-time", String.valueOf(seconds), "--workers", "2",
        "--generation-database", "none", "--warnings", "off",
        "--report", "junit", "--report-dir", dir.resolve("report-" + role).toString()));
    command.addAll(more);
    ProcessBuilder schemathesis = new ProcessBuilder(command)
        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    schemathesis.environment().put("AGENT_UID", agent.uid());
    Process run = schemathesis.start();
    assertThat(run.waitFor(seconds + 120, TimeUnit.SECONDS)).as("Schemathesis ends within its time").isTrue();

    String output = Files.readString(log, StandardCharsets.UTF_8);
    if (run.exitValue() != 0) {
      // Schemathesis's own generator can trip while it makes a value (Hypothesis's FlakyFailure over a
      // KeyError inside the tool, or CPython's spurious "AST constructor recursion depth mismatch" while
      // Hypothesis reads a lambda's source to name it): no request went out for it, so it says nothing
      // of the server. A failed check, and any other error, still fails the test.
      assertThat(output).as(output).doesNotContain("= FAILURES =");
      assertThat(onlyTheGeneratorTripped(output)).as(output).isTrue();
    }
    Matcher selected = Pattern.compile("Selected: (\\d+)/(\\d+)").matcher(output);
    assertThat(selected.find()).as(output).isTrue();
    if (more.isEmpty()) {
      assertThat(selected.group(1)).as("every call is tested").isEqualTo(selected.group(2));
    }
    assertThat(output).as(output).contains("Tested: " + selected.group(1));
  }

  /** Whether every error the run lists is the generator's own trip (above), and there is at least one. */
  private static boolean onlyTheGeneratorTripped(String output) {
    int start = output.indexOf("= ERRORS =");
    int end = output.indexOf("= SUMMARY =");
    if (start < 0 || end < start) {
      return false;
    }
    String[] blocks = output.substring(start, end).split("\n_{3,} [^\n]* _{3,}\n");
    return blocks.length > 1 && java.util.Arrays.stream(blocks).skip(1).allMatch(block -> block.startsWith("Runtime Error")
        && (block.contains("hypothesis.errors.FlakyFailure: Inconsistent results")
            || block.startsWith("Runtime Error\n\nAST constructor recursion depth mismatch")
                && block.contains("hypothesis/internal/lambda_sources.py")));
  }

  private static String schemathesis() {
    String configured = System.getProperty("schemathesis.binary", "");
    if (configured.isBlank() || configured.startsWith("${")) {
      throw new IllegalStateException("no Schemathesis: run the tests with scripts/test, which installs it,"
          + " or set SCHEMATHESIS to the output of scripts/setup/schemathesis.sh");
    }
    return configured;
  }
}

package io.opampfleet.server.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.opampfleet.server.fleet.AdminClient;
import io.opampfleet.server.fleet.TestFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * JSON bodies as anyone with a token may send them to every call that takes one, on a running
 * server: each is carried out or refused with a 4xx that says why, never a server error. In the test
 * command it replays its committed inputs; {@code scripts/fuzz} fuzzes it.
 */
class AdminBodiesFuzzTest {
  private static final String[][] CALLS = {
      {"POST", "/api/v1/configs/fuzz/versions"}, {"POST", "/api/v1/configs/validate"},
      {"PUT", "/api/v1/assignments/fuzz"}, {"POST", "/api/v1/rollouts"}, {"POST", "/api/v1/rollouts/preview"},
      {"POST", "/api/v1/tokens"}, {"POST", "/api/v1/packages"},
      {"POST", "/api/v1/agents/00000000-0000-7000-8000-000000000001/config"}};
  private static Path dir;
  private static TestFleet fleet;
  private static AdminClient admin;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("admin-fuzz");
    fleet = new TestFleet(dir).start();
    admin = fleet.admin(TestFleet.ADMIN);
    admin.post("/api/v1/configs/fuzz/versions", java.util.Map.of("body", "receivers: {}\n"));
  }

  @AfterAll
  static void stop() {
    fleet.close();
  }

  @FuzzTest(maxDuration = "30s")
  void bodies(FuzzedDataProvider data) {
    String[] call = CALLS[data.consumeInt(0, CALLS.length - 1)];
    byte[] body = data.consumeRemainingAsBytes();

    AdminClient.Answer answer;
    try {
      answer = admin.send(call[0], call[1], body);
    } catch (IllegalStateException noAnswer) {
      // The JDK's client once failed a call on a connection it had closed itself ("connection closed
      // locally", one call in 3.4 million, during a burst of load from other processes); the input
      // replayed clean. A server that drops the call drops the second try too.
      answer = admin.send(call[0], call[1], body);
    }

    assertThat(answer.status()).as("%s %s: %s", call[0], call[1], answer.body()).isLessThan(500);
    if (answer.status() >= 400) {
      assertThat(answer.body().path("error").asText()).isNotBlank();
    }
  }
}

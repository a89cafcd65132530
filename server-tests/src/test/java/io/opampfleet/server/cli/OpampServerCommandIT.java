package io.opampfleet.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged server as an operator runs it: {@code java -jar opamp-server.jar --config server.yaml}. */
class OpampServerCommandIT {
  @TempDir
  Path dir;
  private ServerProcess servers;

  @BeforeEach
  void fixture() {
    servers = new ServerProcess(dir);
  }

  @AfterEach
  void stopWhatIsLeft() {
    servers.close();
  }

  @Test
  void aFirstStartPrintsOneAdminTokenThatWorksAndAStopFlushesAndExits() throws Exception {
    Path config = servers.config("storage:\n  data_dir: " + dir.resolve("data") + "\n");
    Process server = servers.start(config).process();
    String admin = servers.awaitAdmin();
    String token = servers.firstToken();

    assertThat(ServerProcess.get(admin + "/api/v1/agents", token).statusCode()).isEqualTo(200);
    assertThat(ServerProcess.get(admin + "/api/v1/agents", "ofl_wrong").statusCode()).isEqualTo(401);

    server.destroy();
    assertThat(server.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(servers.stderr()).contains("is not using TLS")
        .contains("stopped; every acknowledged change is in the store");

    Process again = servers.start(config).process();
    servers.awaitAdmin();
    again.destroy();
    assertThat(again.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(servers.stdout()).doesNotContain("ofl_");
  }

  @Test
  void jsonLogsAreOneJsonObjectALine() throws Exception {
    Process server = servers.start(servers.config("storage:\n  data_dir: " + dir.resolve("data")
        + "\nlogging:\n  format: json\n")).process();
    servers.awaitAdmin();
    server.destroy();
    server.waitFor(20, TimeUnit.SECONDS);

    List<String> lines = Files.readAllLines(dir.resolve("stderr.log"));
    assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line).startsWith("{"));
    ObjectMapper json = new ObjectMapper();
    for (String line : lines) {
      assertThat(json.readTree(line).get("formattedMessage").asText()).as(line).isNotBlank().doesNotContain("{}");
    }
  }

  @Test
  void aWrongFileGetsOneLineNamingTheKeyAndExitCode2() throws Exception {
    Process server = servers.start(servers.config("opamp:\n  listen: 0.0.0.0:4320\n")).process();

    assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(server.exitValue()).isEqualTo(2);
    assertThat(servers.stderr().strip()).startsWith("opamp-server: ")
        .contains("opamp::listen: 0.0.0.0:4320 is reachable from other machines but has no tls")
        .doesNotContain("Exception").doesNotContain("\tat ");
  }
}

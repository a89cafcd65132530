package io.opampfleet.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged server as an operator runs it: {@code java -jar opamp-server.jar --config server.yaml}. */
class OpampServerCommandIT {
  private static final Pattern ADMIN = Pattern.compile("admin API on (http://[0-9.:]+)/api/v1");

  @TempDir
  Path dir;
  private final List<Process> started = new java.util.ArrayList<>();

  @org.junit.jupiter.api.AfterEach
  void stopWhatIsLeft() {
    started.forEach(Process::destroyForcibly);
  }

  @Test
  void aFirstStartPrintsOneAdminTokenThatWorksAndAStopFlushesAndExits() throws Exception {
    Path config = config("storage:\n  data_dir: " + dir.resolve("data") + "\n");
    Process server = start(config);
    String admin = awaitAdmin(server);
    String stdout = Files.readString(dir.resolve("stdout.log"));
    Matcher token = Pattern.compile("(ofl_[A-Za-z0-9_-]+)").matcher(stdout);
    assertThat(token.find()).as(stdout).isTrue();

    assertThat(get(admin + "/api/v1/agents", token.group(1)).statusCode()).isEqualTo(200);
    assertThat(get(admin + "/api/v1/agents", "ofl_wrong").statusCode()).isEqualTo(401);

    server.destroy();
    assertThat(server.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(dir.resolve("stderr.log"))).contains("is not using TLS")
        .contains("stopped; every acknowledged change is in the store");

    Process again = start(config);
    awaitAdmin(again);
    again.destroy();
    assertThat(again.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(dir.resolve("stdout.log"))).doesNotContain("ofl_");
  }

  @Test
  void jsonLogsAreOneJsonObjectALine() throws Exception {
    Process server = start(config("storage:\n  data_dir: " + dir.resolve("data") + "\nlogging:\n  format: json\n"));
    awaitAdmin(server);
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
    Process server = start(config("opamp:\n  listen: 0.0.0.0:4320\n"));

    assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(server.exitValue()).isEqualTo(2);
    assertThat(Files.readString(dir.resolve("stderr.log")).strip()).startsWith("opamp-server: ")
        .contains("opamp::listen: 0.0.0.0:4320 is reachable from other machines but has no tls")
        .doesNotContain("Exception").doesNotContain("\tat ");
  }

  private Path config(String storage) throws IOException {
    Path file = dir.resolve("server.yaml");
    String listeners = storage.contains("opamp:") ? "" : "opamp:\n  listen: 127.0.0.1:0\nadmin:\n  listen: 127.0.0.1:0\n";
    Files.writeString(file, listeners + storage);
    return file;
  }

  private Process start(Path config) throws IOException {
    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", Path.of("target", "opamp-server.jar").toAbsolutePath().toString(), "--config", config.toString())
        .redirectError(dir.resolve("stderr.log").toFile())
        .redirectOutput(dir.resolve("stdout.log").toFile())
        .start();
    started.add(process);
    return process;
  }

  private String awaitAdmin(Process server) {
    String[] admin = new String[1];
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      if (!server.isAlive()) {
        throw new AssertionError("the server exited: " + Files.readString(dir.resolve("stderr.log")));
      }
      Matcher matcher = ADMIN.matcher(Files.readString(dir.resolve("stderr.log")).replace("\\/", "/"));
      if (matcher.find()) {
        admin[0] = matcher.group(1);
      }
      return admin[0] != null;
    });
    return admin[0];
  }

  private static HttpResponse<String> get(String url, String token) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
  }
}

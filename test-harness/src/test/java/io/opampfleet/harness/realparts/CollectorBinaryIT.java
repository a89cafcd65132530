package io.opampfleet.harness.realparts;

import static org.assertj.core.api.Assertions.assertThat;

import io.opampfleet.peers.RealCollector;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The collector distribution the project builds: it runs, has our components, and checks configs. */
class CollectorBinaryIT {
  @TempDir
  Path dir;

  @Test
  void reportsTheVersionItWasBuiltAt() throws Exception {
    Result result = run("--version");

    assertThat(result.code()).isZero();
    assertThat(result.output()).contains("otelcol-fleet version 0.149.0");
  }

  @Test
  void validatesAConfigThatUsesTheOpampExtensionAndEveryComponentWeNeed() throws Exception {
    Path config = write("""
        extensions:
          health_check:
            endpoint: 127.0.0.1:0
          opamp:
            server:
              ws:
                endpoint: ws://127.0.0.1:4320/v1/opamp
        receivers:
          otlp:
            protocols:
              grpc:
                endpoint: 127.0.0.1:0
          nop:
        processors:
          batch:
        exporters:
          debug:
          nop:
          otlp:
            endpoint: 127.0.0.1:4317
          file:
            path: %s
        service:
          extensions: [health_check, opamp]
          pipelines:
            traces:
              receivers: [otlp, nop]
              processors: [batch]
              exporters: [debug, nop, otlp, file]
        """.formatted(dir.resolve("out.json")));

    Result result = run("validate", "--config", config.toString());

    assertThat(result.code()).as(result.output()).isZero();
  }

  @Test
  void refusesAConfigWithAComponentItDoesNotHave() throws Exception {
    Path config = write("""
        receivers:
          nop:
        exporters:
          kafka:
        service:
          pipelines:
            traces:
              receivers: [nop]
              exporters: [kafka]
        """);

    Result result = run("validate", "--config", config.toString());

    assertThat(result.code()).isNotZero();
    assertThat(result.output()).contains("unknown type: \"kafka\"");
  }

  @Test
  void runsWithTheOpampExtensionAndAnswersItsHealthCheck() throws Exception {
    int healthPort = freePort();
    Path config = write("""
        extensions:
          health_check:
            endpoint: 127.0.0.1:%d
          opamp:
            server:
              ws:
                endpoint: ws://127.0.0.1:%d/v1/opamp
        receivers:
          nop:
        exporters:
          nop:
        service:
          extensions: [health_check, opamp]
          telemetry:
            metrics:
              level: none
          pipelines:
            traces:
              receivers: [nop]
              exporters: [nop]
        """.formatted(healthPort, freePort()));
    Process collector = new ProcessBuilder(RealCollector.binary().toString(), "--config", config.toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("collector.log").toFile())
        .start();
    try {
      HttpResponse<String> health = awaitHealth(healthPort, Duration.ofSeconds(30));

      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).contains("Server available");
      assertThat(collector.isAlive()).isTrue();
    } finally {
      collector.destroy();
      assertThat(collector.waitFor(20, TimeUnit.SECONDS)).as("the collector stops on SIGTERM").isTrue();
    }
    assertThat(Files.readString(dir.resolve("collector.log"))).contains("Everything is ready");
  }

  private static HttpResponse<String> awaitHealth(int port, Duration patience) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
        .timeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + patience.toNanos();
    while (true) {
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200 || System.nanoTime() > deadline) {
          return response;
        }
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          throw notYet;
        }
      }
      Thread.sleep(200);
    }
  }

  private record Result(int code, String output) {}

  private static Result run(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(RealCollector.binary().toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), output);
  }

  private Path write(String config) throws IOException {
    return Files.writeString(Files.createTempFile(dir, "config", ".yaml"), config);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

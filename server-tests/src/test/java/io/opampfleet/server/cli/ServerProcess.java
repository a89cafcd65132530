package io.opampfleet.server.cli;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged server as an operator runs it, {@code java -jar opamp-server.jar --config server.yaml},
 * in a directory of its own: its logs go to {@code stdout.log} and {@code stderr.log} there.
 */
final class ServerProcess implements AutoCloseable {
  private static final Pattern ADMIN = Pattern.compile("admin API on (http://[0-9.:]+)/api/v1");
  private static final Pattern OPAMP = Pattern.compile("serving OpAMP on ws://([0-9.:]+)/v1/opamp");
  /** The server's jar with its lib/ beside it, as its module packages it. */
  private static final Path PACKAGED = Path.of(System.getProperty("opamp.server.jar", "../opamp-server/target/opamp-server.jar"))
      .toAbsolutePath();
  private static final Pattern TOKEN = Pattern.compile("(ofl_[A-Za-z0-9_-]+)");

  /** One client for the admin calls of every test: a client each would keep a connection each open. */
  private static final HttpClient ADMIN_CLIENT = HttpClient.newHttpClient();

  private final Path dir;
  private final List<String> jvmOptions;
  private final List<Process> started = new ArrayList<>();
  private Process process;

  ServerProcess(Path dir, String... jvmOptions) {
    this.dir = dir;
    this.jvmOptions = List.of(jvmOptions);
  }

  /** Writes server.yaml with loopback listeners on free ports unless the text names its own. */
  Path config(String yaml) throws IOException {
    Path file = dir.resolve("server.yaml");
    String listeners = yaml.contains("opamp:") ? "" : "opamp:\n  listen: 127.0.0.1:0\nadmin:\n  listen: 127.0.0.1:0\n";
    Files.writeString(file, listeners + yaml);
    return file;
  }

  ServerProcess start(Path config) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", PACKAGED.toString(),
        "--config", config.toString()));
    process = new ProcessBuilder(command)
        .redirectError(dir.resolve("stderr.log").toFile())
        .redirectOutput(dir.resolve("stdout.log").toFile())
        .start();
    started.add(process);
    return this;
  }

  Process process() {
    return process;
  }

  /** The admin URL, once the server says it is serving. */
  String awaitAdmin() {
    return awaitLogged(ADMIN);
  }

  /** The OpAMP HTTP URL, once the server says it is serving. */
  String awaitOpampHttp() {
    return "http://" + awaitLogged(OPAMP) + "/v1/opamp";
  }

  /** The admin token a first start prints, just after the server logs that it serves. */
  String firstToken() throws IOException {
    String[] found = new String[1];
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        Matcher token = TOKEN.matcher(stdout());
        found[0] = token.find() ? token.group(1) : null;
        return found[0] != null;
      });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("no admin token printed: " + stdout());
    }
    return found[0];
  }

  String stdout() throws IOException {
    return Files.readString(dir.resolve("stdout.log"));
  }

  String stderr() throws IOException {
    return Files.readString(dir.resolve("stderr.log"));
  }

  /** SIGKILL: no shutdown hook, no flush. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
  }

  static HttpResponse<String> get(String url, String token) throws Exception {
    return ADMIN_CLIENT.send(HttpRequest.newBuilder(URI.create(url))
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** One OpAMP exchange over plain HTTP, as an agent that polls makes it. */
  static HttpResponse<byte[]> postOpamp(HttpClient client, String url, byte[] body) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private String awaitLogged(Pattern pattern) {
    String[] found = new String[1];
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      if (!process.isAlive()) {
        throw new AssertionError("the server exited: " + stderr());
      }
      Matcher matcher = pattern.matcher(stderr().replace("\\/", "/"));
      if (matcher.find()) {
        found[0] = matcher.group(1);
      }
      return found[0] != null;
    });
    return found[0];
  }

  /** Stops every process it started, also when a test failed. */
  @Override
  public void close() {
    started.forEach(Process::destroyForcibly);
  }
}

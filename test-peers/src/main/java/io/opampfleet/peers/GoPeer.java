package io.opampfleet.peers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One of our opamp-go peer programs (opamp-netty/src/test/go), built by scripts/setup/go-peers.sh
 * and found through {@code -Dopamp.go.peers}: started as a process whose "EVENT ..." lines are kept.
 */
public final class GoPeer implements AutoCloseable {
  private final Process process;
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private GoPeer(Process process) {
    this.process = process;
    reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          if (line.startsWith("EVENT ")) {
            events.add(line.substring("EVENT ".length()));
          }
        }
      } catch (IOException e) {
        // The process ended.
      }
    }, "go-peer-output");
    reader.setDaemon(true);
    reader.start();
  }

  public static GoPeer start(String program, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(binary(program).toString());
    command.addAll(List.of(args));
    return new GoPeer(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
  }

  public List<String> events() {
    return events;
  }

  public boolean saw(String eventPrefix) {
    return events.stream().anyMatch(e -> e.startsWith(eventPrefix));
  }

  /** Closes its standard input, which the peers take as the signal to stop cleanly. */
  public int stop() throws Exception {
    process.getOutputStream().close();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the Go peer did not stop within 15 s; events: " + events);
    }
    // Its last lines may still be in the pipe: read them before anyone looks at the events.
    reader.join(TimeUnit.SECONDS.toMillis(5));
    return process.exitValue();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }

  private static Path binary(String program) {
    String directory = System.getProperty("opamp.go.peers", "");
    if (directory.isBlank() || directory.startsWith("${")) {
      throw new IllegalStateException("no opamp-go peers: run the tests with scripts/test, which builds them,"
          + " or set OPAMP_GO_PEERS to the output of scripts/setup/go-peers.sh");
    }
    Path binary = Path.of(directory, program);
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(binary + " is missing; rebuild the peers with scripts/setup/go-peers.sh");
    }
    return binary;
  }
}

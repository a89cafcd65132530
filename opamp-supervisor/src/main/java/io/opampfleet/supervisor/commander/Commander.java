package io.opampfleet.supervisor.commander;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Runs the collector process, as the Go supervisor's commander does:
 * {@code <executable> --config <effective.yaml> <args...>} with the supervisor's environment plus
 * agent::env, output to agent.log (truncated at each start, appended to, so copytruncate rotation
 * works) or passed through; stopped with a graceful signal, then killed after a grace period.
 */
public final class Commander {
  /** How long a stopping collector gets before it is killed, as in the Go supervisor. */
  public static final Duration GRACE = Duration.ofSeconds(10);

  /**
   * Runs the collector with a parent-death signal, so the kernel stops it if the supervisor is
   * killed: the opamp extension's own parent watch (ppid) does not end the collector in v0.149.
   * The signal comes when the launching thread ends, so the supervisor launches from its own
   * long-lived thread. util-linux's setpriv is on every Debian; without it, only the watch is left.
   */
  private static final List<String> ORPHAN_GUARD = Files.isExecutable(Path.of("/usr/bin/setpriv"))
      ? List.of("/usr/bin/setpriv", "--pdeathsig", "TERM", "--")
      : List.of();

  private final Path executable;
  private final List<String> args;
  private final Map<String, String> env;
  private final Path agentLog;
  private Process process;
  /** Stopped for good (see {@link #close}). */
  private boolean closed;

  /** {@code agentLog} null: the collector's output goes to the supervisor's own. */
  public Commander(Path executable, List<String> args, Map<String, String> env, Path agentLog) {
    this.executable = executable;
    this.args = List.copyOf(args);
    this.env = Map.copyOf(env);
    this.agentLog = agentLog;
  }

  /**
   * Starts the collector on a config file; {@code onExit} hears its exit code when it ends.
   *
   * @throws IOException when it cannot be started, with the executable named
   */
  public synchronized void start(Path config, IntConsumer onExit) throws IOException {
    if (closed) {
      throw new IOException("the supervisor is stopping: no collector is started any more");
    }
    if (isRunning()) {
      throw new IllegalStateException("the collector is already running (pid " + process.pid() + ")");
    }
    List<String> command = new ArrayList<>(ORPHAN_GUARD);
    command.addAll(List.of(executable.toString(), "--config", config.toString()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    if (agentLog == null) {
      builder.redirectOutput(ProcessBuilder.Redirect.INHERIT);
    } else {
      Files.write(agentLog, new byte[0], StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
      builder.redirectOutput(ProcessBuilder.Redirect.appendTo(agentLog.toFile()));
    }
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new IOException("cannot start the collector " + executable + ": " + e.getMessage(), e);
    }
    Process started = process;
    started.onExit().thenAccept(ended -> onExit.accept(ended.exitValue()));
  }

  /**
   * Stops the collector for good: no start succeeds after this, whichever thread tries (a step of the
   * supervisor's loop that outlived its shutdown would otherwise leave a collector nobody stops).
   */
  public synchronized void close(Duration grace) throws InterruptedException {
    closed = true;
    stop(grace);
  }

  /** Stops the collector: a graceful signal, then a kill after {@code grace}. Waits until it is gone. */
  public synchronized void stop(Duration grace) throws InterruptedException {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      process.waitFor();
    }
  }

  /**
   * Asks the running collector to read its config again (SIGHUP), for use_hup_config_reload.
   *
   * @return false when no collector runs or the signal could not be sent
   */
  public synchronized boolean reload() throws InterruptedException {
    if (!isRunning()) {
      return false;
    }
    try {
      // The JDK sends no signal but TERM and KILL: kill(1) sends the one the collector reloads on.
      Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).redirectErrorStream(true).start();
      return kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  public synchronized long pid() {
    return process == null ? -1 : process.pid();
  }
}

package io.opampfleet.supervisor.collector;

import com.google.protobuf.ByteString;
import io.opampfleet.netty.Backoff;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.supervisor.apply.RemoteConfigApplier;
import io.opampfleet.supervisor.commander.Commander;
import io.opampfleet.supervisor.compose.Composed;
import io.opampfleet.supervisor.config.SupervisorConfig;
import io.opampfleet.supervisor.loop.LoopStep;
import io.opampfleet.supervisor.storage.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector's process: started on an effective config (or told to reload it by SIGHUP), replaced
 * by a new one for the next config, and started again with backoff when it dies. Each start is a new
 * generation, so that the exit of a replaced process is not taken for a crash. Every method runs on
 * the supervisor's loop, and so do the restarts it schedules there.
 */
public final class CollectorProcess implements RemoteConfigApplier.Collector {
  private static final Logger log = LoggerFactory.getLogger(CollectorProcess.class);
  /**
   * Doubles from 500 ms with each crash in a row, up to a minute, less up to a quarter at random so
   * that collectors that crash together do not all come back at the same moment.
   */
  private static final Backoff RESTARTS = new Backoff(Duration.ofMillis(500), Duration.ofMinutes(1), 2, 0.25);
  /** A collector that ran this long before it ended crashed once, not once more: its restart waits the least. */
  static final Duration STEADY = Duration.ofMinutes(5);

  /** Starts the collector again after a crash, on what it should run; empty once it is healthy, else why not. */
  @FunctionalInterface
  public interface Relaunch {
    Optional<String> run() throws InterruptedException;
  }

  private final SupervisorConfig.Agent settings;
  private final Path storage;
  private final Commander commander;
  private final CollectorLink link;
  private final ScheduledExecutorService loop;
  private final Consumer<ComponentHealth> health;
  private final Consumer<EffectiveConfig> effective;
  private Relaunch relaunch = Optional::empty;
  private int generation;
  private int crashes;
  /** When the running collector was started (System.nanoTime). */
  private long startedAt;
  /** Set by the thread that stops the supervisor too, not only on the loop. */
  private volatile boolean stopping;

  /**
   * @param health where a crash is reported
   * @param effective where each config the collector was started on (or reloaded) is reported
   */
  public CollectorProcess(SupervisorConfig.Agent settings, Path storage, Commander commander, CollectorLink link,
      ScheduledExecutorService loop, Consumer<ComponentHealth> health, Consumer<EffectiveConfig> effective) {
    this.settings = settings;
    this.storage = storage;
    this.commander = commander;
    this.link = link;
    this.loop = loop;
    this.health = health;
    this.effective = effective;
  }

  /** What starts the collector again after it crashed. */
  public void relaunchWith(Relaunch relaunch) {
    this.relaunch = relaunch;
  }

  /**
   * Writes effective.yaml, then replaces the running collector with one on it ({@code reload}: a
   * running one takes the file by SIGHUP instead). When the file cannot be written the old
   * collector keeps running; when the new one cannot be started it is retried as a crashed one is.
   */
  @Override
  public boolean run(Composed composed, boolean reload) throws InterruptedException {
    if (stopping) {
      return true;
    }
    composed.warnings().forEach(warning -> log.warn("{}", warning));
    Path file = storage.resolve("effective.yaml");
    try {
      // It holds the remote config's secrets, and the collector must never read half of it.
      PrivateFiles.write(file, composed.yaml().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      if (commander.isRunning()) {
        log.error("effective.yaml cannot be written ({}); the collector keeps its current config", e.getMessage());
      } else {
        // Nothing runs, and nothing would ever try again: tried again as a collector that crashed is. A
        // generation of its own, so a restart already pending for this config's predecessor is not a second.
        startedAt = System.nanoTime();
        int attempt = ++generation;
        loop.execute(LoopStep.guarded(() -> restartLater(attempt, "effective.yaml cannot be written: "
            + e.getMessage())));
      }
      return false;
    }
    // A collector takes SIGHUP once it has started (before, the signal ends it): one not yet seen
    // healthy since it started or last reloaded is restarted instead.
    if (reload && commander.isRunning() && link.seenHealthy()) {
      // The health that decides this config must come after the reload.
      link.forget();
      if (commander.reload()) {
        log.info("the collector reloads its config (SIGHUP)");
        reportEffective(composed);
        return true;
      }
      log.warn("the collector could not be sent SIGHUP; restarting it instead");
    }
    commander.stop(Commander.GRACE);
    link.forget();
    int started = ++generation;
    startedAt = System.nanoTime();
    try {
      commander.start(file, exitCode -> loop.execute(LoopStep.guarded(() -> exited(started, exitCode))));
    } catch (IOException e) {
      loop.execute(LoopStep.guarded(() -> restartLater(started, "the collector cannot be started: " + e.getMessage())));
      return true;
    }
    reportEffective(composed);
    return true;
  }

  /** Stops the collector; its exit is not a crash. */
  @Override
  public void stop() throws InterruptedException {
    generation++;
    commander.stop(Commander.GRACE);
    // What the stopping collector still says is not the state of the one the supervisor runs.
    link.forget();
  }

  @Override
  public void stopAsAsked(Composed composed) throws InterruptedException {
    stop();
    // As the Go supervisor reports a collector stopped by an empty remote config.
    health.accept(ComponentHealth.newBuilder().setHealthy(true)
        .setStatus("stopped: the server's remote config has no files").build());
    reportEffective(composed);
  }

  /** From now on nothing is started: the supervisor is stopping. */
  public void stopping() {
    stopping = true;
  }

  /** Stops the collector for good, from any thread: nothing starts one again, whatever step is under way. */
  public void shutDown() throws InterruptedException {
    stopping = true;
    generation++;
    commander.close(Commander.GRACE);
    link.forget();
  }

  /** Whether the collector reports healthy within agent::config_apply_timeout (false as soon as it exits). */
  @Override
  public boolean awaitHealthy() throws InterruptedException {
    // Once stopping, run() starts nothing: the health still heard is the old collector's, and judges nothing.
    return !stopping && link.awaitHealth(settings.configApplyTimeout(), () -> !stopping && commander.isRunning());
  }

  /** Why the collector is not healthy, with the tail of its log when it exited or never answered. */
  @Override
  public String failure() {
    ComponentHealth reported = link.health();
    if (reported != null && !reported.getLastError().isEmpty()) {
      return "the collector turned unhealthy: " + reported.getLastError();
    }
    if (!commander.isRunning()) {
      return "the collector exited" + logTail();
    }
    return "the collector did not report healthy within " + settings.configApplyTimeout().toMillis() + " ms" + logTail();
  }

  @Override
  public boolean isRunning() {
    return commander.isRunning();
  }

  /** The pid of the running collector, or -1. */
  public long pid() {
    return commander.pid();
  }

  static long restartDelay(int crashes) {
    return RESTARTS.delay(crashes).toMillis();
  }

  /** Crashes in a row once a collector that ran for {@code uptime} ended. */
  static int crashesAfter(int crashes, Duration uptime) {
    return uptime.compareTo(STEADY) >= 0 ? 1 : crashes + 1;
  }

  /** A collector that ends on its own is restarted, sooner at first and then less often. */
  private void exited(int started, int exitCode) {
    restartLater(started, "the collector exited with code " + exitCode);
  }

  /** The collector of this start is not running, for this reason: started again after the crash backoff. */
  private void restartLater(int started, String why) {
    if (stopping || started != generation) {
      return;
    }
    crashes = crashesAfter(crashes, Duration.ofNanos(System.nanoTime() - startedAt));
    long delay = restartDelay(crashes);
    log.warn("{}; restarting it in {} ms", why, delay);
    health.accept(ComponentHealth.newBuilder().setHealthy(false).setLastError(why).build());
    loop.schedule(LoopStep.guarded(() -> {
      if (!stopping && started == generation && !commander.isRunning() && relaunch.run().isEmpty()) {
        crashes = 0;
      }
    }), delay, TimeUnit.MILLISECONDS);
  }

  private String logTail() {
    int kib = settings.collectorCrashLogSnippetKib();
    Path agentLog = storage.resolve("agent.log");
    if (kib == 0 || !Files.exists(agentLog)) {
      return "";
    }
    // Only the tail is read: the log grows for as long as the collector runs, and the heap is small.
    try (SeekableByteChannel log = Files.newByteChannel(agentLog)) {
      long size = log.size();
      ByteBuffer tail = ByteBuffer.allocate((int) Math.min(size, kib * 1024L));
      log.position(size - tail.capacity());
      int read = 0;
      while (tail.hasRemaining() && read >= 0) {
        read = log.read(tail);
      }
      // Not from the middle of a character: its continuation bytes (10xxxxxx) are left out.
      int from = 0;
      while (from < Math.min(3, tail.position()) && (tail.get(from) & 0xC0) == 0x80) {
        from++;
      }
      return "\nCollector log tail:\n" + new String(tail.array(), from, tail.position() - from, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private void reportEffective(Composed composed) {
    effective.accept(EffectiveConfig.newBuilder().setConfigMap(AgentConfigMap.newBuilder()
        .putConfigMap("", AgentConfigFile.newBuilder().setBody(ByteString.copyFromUtf8(composed.yaml()))
            .setContentType("text/yaml").build())).build());
  }

}

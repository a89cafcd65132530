package io.opampfleet.supervisor.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.opampfleet.netty.InstanceUid;
import io.opampfleet.netty.client.OpampClient;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.supervisor.commander.Commander;
import io.opampfleet.supervisor.compose.Composed;
import io.opampfleet.supervisor.config.SupervisorConfig;
import io.opampfleet.supervisor.config.SupervisorConfigLoader;
import java.net.URI;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The collector's process on a stand-in collector (a shell script): crashes, replacements and stops. */
class CollectorProcessTest {
  @TempDir
  Path dir;

  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
  private final List<ComponentHealth> healths = new CopyOnWriteArrayList<>();
  private final List<EffectiveConfig> effective = new CopyOnWriteArrayList<>();
  private final AtomicInteger relaunches = new AtomicInteger();
  private CollectorLink link;
  private CollectorProcess process;

  @AfterEach
  void stop() throws Exception {
    loop.submit(() -> {
      process.stopping();
      process.stop();
      return null;
    }).get(30, TimeUnit.SECONDS);
    loop.shutdownNow();
    link.close();
  }

  @Test
  void aCollectorThatDiesIsReportedAndStartedAgainAfterTheBackoff() throws Exception {
    start("echo 'cannot bind port 4317'; exit 3");

    onLoop(() -> process.run(new Composed("receivers: {}\n", false, List.of()), false));

    await().atMost(Duration.ofSeconds(5)).until(() -> relaunches.get() == 1);
    assertThat(healths).first().satisfies(h -> {
      assertThat(h.getHealthy()).isFalse();
      assertThat(h.getLastError()).isEqualTo("the collector exited with code 3");
    });
    assertThat(Files.readString(dir.resolve("storage/effective.yaml"))).isEqualTo("receivers: {}\n");
    // The remote config's secrets are in it: only the supervisor's user reads it.
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("storage/effective.yaml"))))
        .isEqualTo("rw-------");
    assertThat(effective).singleElement().satisfies(e ->
        assertThat(e.getConfigMap().getConfigMapMap().get("").getBody().toStringUtf8()).isEqualTo("receivers: {}\n"));
    assertThat(loop.submit(process::failure).get()).startsWith("the collector exited").contains("cannot bind port 4317");
  }

  @Test
  void aCrashReportsTheLastKibOfTheCollectorsLogFromAWholeCharacter() throws Exception {
    // 'é' is two bytes: 1,024 bytes from the end falls inside the last line's first one.
    start("for i in $(seq 1 200); do echo \"line $i of what the collector said\"; done; "
        + "printf 'é%.0s' $(seq 1 600); echo; exit 3");

    onLoop(() -> process.run(new Composed("receivers: {}\n", false, List.of()), false));

    await().atMost(Duration.ofSeconds(5)).until(() -> relaunches.get() == 1);
    String failure = loop.submit(process::failure).get();
    String tail = failure.substring(failure.indexOf("Collector log tail:\n") + "Collector log tail:\n".length());
    // 1,200 bytes of 'é' and a newline: the last 1,024 bytes start inside one, which is left out.
    assertThat(tail).isEqualTo("é".repeat(511) + "\n");
  }

  @Test
  void aCollectorNotYetSeenHealthyIsRestartedRatherThanSentSighup() throws Exception {
    start(reloadingCollector());

    onLoop(() -> process.run(new Composed("a: 1\n", false, List.of()), true));
    long first = loop.submit(process::pid).get();
    onLoop(() -> process.run(new Composed("a: 2\n", false, List.of()), true));

    assertThat(loop.submit(process::pid).get()).isNotEqualTo(first).isPositive();
    assertThat(dir.resolve("reloads")).doesNotExist();
  }

  @Test
  void aCollectorSeenHealthyTakesTheNextConfigBySighup() throws Exception {
    start(reloadingCollector());
    onLoop(() -> process.run(new Composed("a: 1\n", false, List.of()), true));
    long first = loop.submit(process::pid).get();
    // The collector's OpAMP extension says it is healthy.
    OpampClient extension = OpampClient.builder()
        .endpoint(URI.create("ws://127.0.0.1:" + link.port() + "/v1/opamp"))
        .instanceUid(InstanceUid.bytes(UUID.randomUUID().toString())).build();
    extension.setHealth(ComponentHealth.newBuilder().setHealthy(true).setStatus("StatusOK").build());
    extension.start();
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> link.seenHealthy() && Files.exists(dir.resolve("ready")));

      onLoop(() -> process.run(new Composed("a: 2\n", false, List.of()), true));

      assertThat(loop.submit(process::pid).get()).isEqualTo(first);
      await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(dir.resolve("reloads")));
    } finally {
      extension.stop().get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * A collector that notes each SIGHUP it takes, and says when it is ready to. A shell cannot trap a
   * signal ignored when it started (under nohup, say): the signal's default is restored first.
   */
  private String reloadingCollector() {
    return "exec env --default-signal=HUP /bin/sh -c 'trap \"echo reloaded >> " + dir.resolve("reloads")
        + "\" HUP; touch " + dir.resolve("ready") + "; while true; do sleep 0.1; done'";
  }

  @Test
  void aConfigWhoseFileCannotBeWrittenLeavesTheCollectorAsItRuns() throws Exception {
    start("sleep 30");
    onLoop(() -> process.run(new Composed("a: 1\n", false, List.of()), false));
    long first = loop.submit(process::pid).get();
    // Where effective.yaml goes, a directory: the file cannot be written, as on a full disk.
    Files.delete(dir.resolve("storage/effective.yaml"));
    Files.createDirectory(dir.resolve("storage/effective.yaml"));

    assertThat(loop.submit(() -> process.run(new Composed("a: 2\n", false, List.of()), false)).get()).isFalse();

    assertThat(loop.submit(process::pid).get()).isEqualTo(first);
    assertThat(effective).hasSize(1);
  }

  @Test
  void aCollectorThatCrashedWhileItsConfigFileCannotBeWrittenIsTriedAgainUntilItCan() throws Exception {
    start("if [ -f " + dir.resolve("crashed") + " ]; then sleep 30; else touch " + dir.resolve("crashed") + "; exit 3; fi");
    Composed config = new Composed("a: 1\n", false, List.of());
    process.relaunchWith(() -> {
      relaunches.incrementAndGet();
      process.run(config, false);
      return Optional.of("not checked here");
    });
    onLoop(() -> process.run(config, false));
    await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(dir.resolve("crashed")));
    // Where effective.yaml goes, a directory: the file cannot be written, as on a full disk.
    onLoop(() -> {
      Files.delete(dir.resolve("storage/effective.yaml"));
      Files.createDirectory(dir.resolve("storage/effective.yaml"));
    });

    await().atMost(Duration.ofSeconds(15)).until(() -> relaunches.get() >= 2);
    assertThat(loop.submit(process::isRunning).get()).isFalse();
    assertThat(healths).extracting(ComponentHealth::getLastError).contains("the collector exited with code 3")
        .anySatisfy(error -> assertThat(error).startsWith("effective.yaml cannot be written"));
    onLoop(() -> Files.delete(dir.resolve("storage/effective.yaml")));

    await().atMost(Duration.ofSeconds(20)).until(() -> loop.submit(process::isRunning).get());
    assertThat(Files.readString(dir.resolve("storage/effective.yaml"))).isEqualTo("a: 1\n");
  }

  @Test
  void configsWhoseFileCannotBeWrittenWhileTheCollectorIsDownLeaveOneRestartPending() throws Exception {
    start("exit 3");
    onLoop(() -> process.run(new Composed("a: 1\n", false, List.of()), false));
    await().atMost(Duration.ofSeconds(5)).until(() -> !healths.isEmpty());

    // Two remote configs arrive, and neither can be written (the crash's restart may have come first).
    AtomicInteger before = new AtomicInteger();
    onLoop(() -> {
      before.set(relaunches.get());
      Files.delete(dir.resolve("storage/effective.yaml"));
      Files.createDirectory(dir.resolve("storage/effective.yaml"));
      process.run(new Composed("a: 2\n", false, List.of()), false);
      process.run(new Composed("a: 3\n", false, List.of()), false);
    });

    // One restart after them, after the backoff the crashes in a row call for: not one for each.
    await().atMost(Duration.ofSeconds(5)).until(() -> relaunches.get() - before.get() == 1);
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4))
        .until(() -> relaunches.get() - before.get() == 1);
    assertThat(healths).last().extracting(ComponentHealth::getLastError).asString()
        .startsWith("effective.yaml cannot be written");
  }

  @Test
  void shutDownFromAnotherThreadNoCollectorStartsAgainWhateverTheLoopDoesNext() throws Exception {
    start("sleep 30");
    onLoop(() -> process.run(new Composed("a: 1\n", false, List.of()), false));

    process.shutDown();
    onLoop(() -> process.run(new Composed("a: 2\n", false, List.of()), false));

    assertThat(loop.submit(process::isRunning).get()).isFalse();
    Commander commander = new Commander(dir.resolve("collector.sh"), List.of(), Map.of(), null);
    commander.close(Duration.ofSeconds(1));
    assertThatThrownBy(() -> commander.start(dir.resolve("storage/effective.yaml"), code -> { }))
        .isInstanceOf(IOException.class).hasMessageContaining("the supervisor is stopping");
  }

  @Test
  void aReplacedOrStoppedCollectorsExitIsNoCrash() throws Exception {
    start("sleep 30");

    onLoop(() -> process.run(new Composed("a: 1\n", false, List.of()), false));
    long first = loop.submit(process::pid).get();
    onLoop(() -> process.run(new Composed("a: 2\n", false, List.of()), false));
    long second = loop.submit(process::pid).get();
    onLoop(process::stop);
    Thread.sleep(1000);

    assertThat(second).isNotEqualTo(first).isPositive();
    assertThat(loop.submit(process::isRunning).get()).isFalse();
    assertThat(healths).isEmpty();
    assertThat(relaunches).hasValue(0);
    assertThat(effective).hasSize(2);
  }

  private void start(String script) throws Exception {
    Path collector = dir.resolve("collector.sh");
    Files.writeString(collector, "#!/bin/sh\n" + script + "\n");
    Files.setPosixFilePermissions(collector, PosixFilePermissions.fromString("rwx------"));
    Path storage = Files.createDirectories(dir.resolve("storage"));
    Path yaml = Files.writeString(dir.resolve("supervisor.yaml"), """
        server: {endpoint: ws://127.0.0.1:1/v1/opamp}
        storage: {directory: %s}
        agent: {executable: %s, config_apply_timeout: 2s, collector_crash_log_snippet_kib: 1}
        """.formatted(storage, collector));
    SupervisorConfig config = SupervisorConfigLoader.withSystemEnvironment().load(yaml).config();
    link = CollectorLink.start(0, health -> { }, new CollectorLink.Reports() {
      @Override
      public void description(AgentDescription description) {}

      @Override
      public void components(AvailableComponents components) {}

      @Override
      public void customCapabilities(io.opampfleet.proto.CustomCapabilities capabilities) {}

      @Override
      public void customMessage(io.opampfleet.proto.CustomMessage message) {}
    }, null);
    process = new CollectorProcess(config.agent(), storage, new Commander(collector, List.of(), Map.of(),
        storage.resolve("agent.log")), link, loop, healths::add, effective::add);
    process.relaunchWith(() -> {
      relaunches.incrementAndGet();
      return Optional.of("still down");
    });
  }

  private interface LoopWork {
    void run() throws Exception;
  }

  private void onLoop(LoopWork work) throws Exception {
    loop.submit(() -> {
      work.run();
      return null;
    }).get(30, TimeUnit.SECONDS);
  }
}

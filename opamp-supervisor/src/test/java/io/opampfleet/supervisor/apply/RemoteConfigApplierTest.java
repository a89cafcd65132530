package io.opampfleet.supervisor.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentRemoteConfig;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.supervisor.compose.Composed;
import io.opampfleet.supervisor.compose.ComposerFixture;
import io.opampfleet.supervisor.compose.EffectiveConfigComposer;
import io.opampfleet.supervisor.storage.RemoteConfigStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which config the collector runs, transition by transition, with a stand-in collector whose
 * health the test decides and the real composer and store.
 */
class RemoteConfigApplierTest {
  private static final UUID UID = UUID.fromString("0192f3a4-5b6c-7d8e-9f00-112233445566");
  private static final AgentRemoteConfig GOOD = remote("good", "receivers: {otlp: {}}\n");
  private static final AgentRemoteConfig BROKEN = remote("broken", "receivers: {hostmetrics: {}}\n");
  /** The server's way to stop the collector: a config with no files. */
  private static final AgentRemoteConfig EMPTY = AgentRemoteConfig.newBuilder().setConfigHash(hash("empty")).build();

  @TempDir
  Path dir;

  private final StandInCollector collector = new StandInCollector();
  private final RecordedStatuses statuses = new RecordedStatuses();
  private EffectiveConfigComposer composer;
  private RemoteConfigStore store;
  private Optional<String> validation = Optional.empty();

  @BeforeEach
  void composer() throws IOException {
    Path executable = Files.writeString(dir.resolve("otelcol"), "");
    composer = new EffectiveConfigComposer(ComposerFixture.config(dir, executable, "", ""), UID, 40123, 4242, false);
    store = new RemoteConfigStore(dir);
  }

  @Test
  void aConfigTheCollectorIsHealthyOnIsAppliedAndKeptAsTheLastGoodOne() throws Exception {
    RemoteConfigApplier applier = applier();

    applier.apply(GOOD);

    assertThat(statuses.seen()).containsExactly("APPLYING good", "APPLIED good");
    assertThat(collector.lastRun()).contains("otlp");
    assertThat(store.lastReceived()).isEqualTo(GOOD);
    assertThat(store.lastWorking()).isEqualTo(GOOD);
  }

  @Test
  void aConfigTheCollectorIsNotHealthyOnFailsWithItsReasonAndTheLastGoodOneRunsAgain() throws Exception {
    RemoteConfigApplier applier = applier();
    applier.apply(GOOD);
    collector.healthy = false;

    applier.apply(BROKEN);

    assertThat(statuses.seen()).endsWith("APPLYING broken", "FAILED broken");
    assertThat(statuses.last().getErrorMessage())
        .isEqualTo("exit 1: hostmetrics is not built in; reverted to the last good remote config");
    assertThat(collector.runs).hasSize(3);
    assertThat(collector.lastRun()).contains("otlp").doesNotContain("hostmetrics");
    assertThat(store.lastWorking()).isEqualTo(GOOD);
  }

  @Test
  void withoutAGoodConfigAFailureRevertsToTheConfigurationBeforeAnyRemoteConfig() throws Exception {
    collector.healthy = false;

    applier().apply(BROKEN);

    assertThat(statuses.last().getErrorMessage()).endsWith("reverted to the configuration it had before any remote config");
    assertThat(collector.lastRun()).doesNotContain("hostmetrics").contains("nop");
  }

  @Test
  void aConfigTheCollectorRefusesToValidateFailsAndTheRunningOneIsNotTouched() throws Exception {
    RemoteConfigApplier applier = applier();
    applier.apply(GOOD);
    validation = Optional.of("'receivers' unknown type: \"hostmetrics\"");

    applier.apply(BROKEN);

    assertThat(statuses.seen()).endsWith("FAILED broken");
    assertThat(statuses.last().getErrorMessage())
        .isEqualTo("'receivers' unknown type: \"hostmetrics\"; the previous config keeps running");
    assertThat(collector.runs).hasSize(1);
  }

  @Test
  void aConfigThatIsNotYamlFailsWithoutTouchingTheCollector() throws Exception {
    applier().apply(remote("not yaml", "receivers: [unclosed\n"));

    assertThat(statuses.seen()).containsExactly("APPLYING not yaml", "FAILED not yaml");
    assertThat(statuses.last().getErrorMessage()).startsWith("the remote config is ")
        .endsWith("; the previous config keeps running");
    assertThat(collector.runs).isEmpty();
  }

  @Test
  void theConfigTheCollectorRunsAlreadyIsReportedAppliedWithoutARestart() throws Exception {
    RemoteConfigApplier applier = applier();
    applier.apply(GOOD);

    applier.apply(GOOD);

    assertThat(statuses.seen()).containsExactly("APPLYING good", "APPLIED good", "APPLIED good");
    assertThat(collector.runs).hasSize(1);
  }

  @Test
  void aConfigWithNoFilesStopsTheCollector() throws Exception {
    RemoteConfigApplier applier = applier();
    applier.apply(GOOD);

    applier.apply(EMPTY);

    assertThat(statuses.seen()).endsWith("APPLYING empty", "APPLIED empty");
    assertThat(collector.running).isFalse();
    assertThat(store.lastWorking()).isEqualTo(EMPTY);
  }

  @Test
  void whileTheServerHasTheCollectorStoppedARestartOrTheSameConfigAgainLeavesItStopped() throws Exception {
    RemoteConfigApplier applier = applier();
    applier.apply(GOOD);
    applier.apply(EMPTY);

    applier.apply(EMPTY);
    applier.restart();
    applier.recompose();

    assertThat(statuses.seen()).endsWith("APPLYING empty", "APPLIED empty", "APPLIED empty");
    assertThat(collector.running).isFalse();
    assertThat(collector.runs).hasSize(1);
    assertThat(collector.stoppedOn).isNotNull();
    assertThat(applier.relaunchAndCheck()).contains("not run: the server has the collector stopped (its remote"
        + " config has no files)");
    assertThat(collector.running).isFalse();
  }

  @Test
  void aConfigThatFailsAfterAnEmptyOneGoesBackToTheCollectorStopped() throws Exception {
    RemoteConfigApplier applier = applier();
    applier.apply(GOOD);
    applier.apply(EMPTY);
    collector.healthy = false;

    applier.apply(BROKEN);

    assertThat(statuses.seen()).endsWith("APPLYING broken", "FAILED broken");
    assertThat(collector.running).as("the server had stopped it; GOOD is not what it wants").isFalse();
    assertThat(collector.lastRun()).contains("hostmetrics");
  }

  @Test
  void anEmptyConfigAppliedLastLeavesTheCollectorStoppedAtStart() throws Exception {
    restarted(GOOD, EMPTY, RemoteConfigStatuses.RemoteConfigStatuses_APPLIED, "empty");

    assertThat(collector.running).isFalse();
    assertThat(collector.runs).isEmpty();
  }

  @Test
  void aCollectorRestartedWhileOnTheStartupFallbackComesBackOnItNotOnTheNormalConfig() throws Exception {
    Path fallback = Files.writeString(dir.resolve("fallback.yaml"), "receivers: {fallback_marker: {}}\n");
    composer = new EffectiveConfigComposer(ComposerFixture.config(dir, dir.resolve("otelcol"),
        "startup_fallback_configs: [" + fallback + "]", ""), UID, 40123, 4242, false);
    RemoteConfigApplier applier = applier();
    assertThat(applier.startOnFallback()).isTrue();

    assertThat(applier.relaunchAndCheck()).as("a crash: its collector comes back").isEmpty();
    applier.recompose();

    assertThat(collector.runs).hasSize(3).allSatisfy(run -> assertThat(run).contains("fallback_marker"));
    applier.startOnKnownConfig();
    applier.restart();
    assertThat(collector.lastRun()).as("the first connection ends the fallback").doesNotContain("fallback_marker");
  }

  @Test
  void aFailureThatCannotBeKeptLeavesTheCollectorRevertedAllTheSame() throws Exception {
    RemoteConfigApplier applier = new RemoteConfigApplier(composer, AgentDescription::getDefaultInstance, collector,
        yaml -> validation, store, new RecordedStatuses() {
          @Override
          public void report(RemoteConfigStatus status) {
            if (status.getStatus() == RemoteConfigStatuses.RemoteConfigStatuses_FAILED) {
              throw new java.io.UncheckedIOException(new IOException("No space left on device"));
            }
            super.report(status);
          }
        }, false);
    applier.apply(GOOD);
    collector.healthy = false;

    assertThatThrownBy(() -> applier.apply(BROKEN)).hasMessageContaining("No space left on device");

    assertThat(collector.lastRun()).contains("otlp").doesNotContain("hostmetrics");
  }

  @Test
  void aSupervisorKilledWhileApplyingStartsOnTheLastGoodConfigAndReportsTheOtherFailed() throws Exception {
    startedAfterGoodThenBroken(RemoteConfigStatuses.RemoteConfigStatuses_APPLYING);

    assertThat(statuses.seen()).endsWith("FAILED broken");
    assertThat(statuses.last().getErrorMessage()).isEqualTo("the supervisor stopped while applying it, before the"
        + " collector was seen healthy on it; the last good remote config runs");
    assertThat(collector.lastRun()).contains("otlp").doesNotContain("hostmetrics");
  }

  @Test
  void aSupervisorKilledAfterKeepingTheConfigAsGoodButBeforeItsAppliedReportsItApplied() throws Exception {
    restarted(GOOD, GOOD, RemoteConfigStatuses.RemoteConfigStatuses_APPLYING, "good");

    assertThat(statuses.seen()).endsWith("APPLIED good");
    assertThat(collector.lastRun()).contains("otlp");
  }

  @Test
  void aConfigLeftUnjudgedBecauseTheSupervisorStopsIsNeitherKeptNorReportedNorReverted() throws Exception {
    RemoteConfigApplier applier = applier();
    applier.apply(GOOD);
    collector.healthy = false;
    collector.meanwhile = applier::stopping;
    int runs = collector.runs.size();

    applier.apply(BROKEN);

    assertThat(statuses.seen()).endsWith("APPLYING broken");
    assertThat(store.lastWorking()).isEqualTo(GOOD);
    assertThat(collector.runs).hasSize(runs + 1);
  }

  @Test
  void aConfigReportedFailedIsNotRunAgainAtStart() throws Exception {
    startedAfterGoodThenBroken(RemoteConfigStatuses.RemoteConfigStatuses_FAILED);

    assertThat(statuses.seen()).containsExactly("FAILED broken");
    assertThat(collector.lastRun()).contains("otlp").doesNotContain("hostmetrics");
  }

  @Test
  void theConfigLastReceivedRunsAtStartWhenItWasApplied() throws Exception {
    store.saveReceived(GOOD);
    statuses.report(status(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED, "good", ""));
    RemoteConfigApplier applier = applier();
    applier.resume();

    applier.startOnKnownConfig();

    assertThat(collector.lastRun()).contains("otlp");
    assertThat(statuses.seen()).containsExactly("APPLIED good");
  }

  @Test
  void aConfigThatFailedThenTheGoodOneAgainStartsOnTheGoodOne() throws Exception {
    RemoteConfigApplier applier = applier();
    applier.apply(GOOD);
    collector.healthy = false;
    applier.apply(BROKEN);
    collector.healthy = true;
    applier.apply(GOOD);
    assertThat(statuses.seen()).endsWith("FAILED broken", "APPLIED good");

    RemoteConfigApplier restarted = applier();
    restarted.resume();
    restarted.startOnKnownConfig();

    assertThat(collector.lastRun()).contains("otlp").doesNotContain("hostmetrics");
  }

  @Test
  void aConfigReceivedAfterTheLastStatusDoesNotRunAtStart() throws Exception {
    // Killed after storing BROKEN and before saying APPLYING: the last status still names GOOD.
    restarted(GOOD, BROKEN, RemoteConfigStatuses.RemoteConfigStatuses_APPLIED, "good");

    assertThat(collector.lastRun()).contains("otlp").doesNotContain("hostmetrics");
  }

  @Test
  void aConfigWhoseFileCannotBeWrittenFailsAndTheRunningOneStays() throws Exception {
    RemoteConfigApplier applier = applier();
    applier.apply(GOOD);
    collector.writable = false;

    applier.apply(BROKEN);

    assertThat(statuses.seen()).endsWith("APPLYING broken", "FAILED broken");
    assertThat(statuses.last().getErrorMessage()).startsWith("the collector's config file cannot be written");
    assertThat(collector.lastRun()).contains("otlp");
    assertThat(store.lastWorking()).isEqualTo(GOOD);
  }

  @Test
  void aConfigAppliedUnderTheGoSupervisorIsTheLastGoodOneToRevertTo() throws Exception {
    // The Go supervisor without automatic_config_rollback leaves no last good config, only the last received.
    RemoteConfigApplier applier = restarted(null, GOOD, RemoteConfigStatuses.RemoteConfigStatuses_APPLIED, "good");
    collector.healthy = false;

    applier.apply(BROKEN);

    assertThat(statuses.last().getErrorMessage()).endsWith("; reverted to the last good remote config");
    assertThat(collector.lastRun()).contains("otlp").doesNotContain("hostmetrics");
  }

  @Test
  void aRelaunchSaysWhyTheCollectorIsNotHealthy() throws Exception {
    RemoteConfigApplier applier = applier();
    applier.apply(GOOD);
    assertThat(applier.relaunchAndCheck()).isEmpty();

    collector.healthy = false;

    assertThat(applier.relaunchAndCheck()).contains("exit 1: hostmetrics is not built in");
    assertThat(collector.lastRun()).contains("otlp");
  }

  @Test
  void configsThatArriveWhileStoppingAreLeftAlone() throws Exception {
    RemoteConfigApplier applier = applier();
    applier.stopping();

    applier.apply(GOOD);

    assertThat(statuses.seen()).isEmpty();
    assertThat(collector.runs).isEmpty();
  }

  /** A supervisor started again after GOOD worked and BROKEN was received, BROKEN last reported {@code last}. */
  private void startedAfterGoodThenBroken(RemoteConfigStatuses last) throws Exception {
    restarted(GOOD, BROKEN, last, "broken");
  }

  /** A supervisor started again on what the run before stored: its last good and last received configs, its last status. */
  private RemoteConfigApplier restarted(AgentRemoteConfig working, AgentRemoteConfig received,
      RemoteConfigStatuses last, String named) throws Exception {
    if (working != null) {
      store.saveWorking(working);
    }
    store.saveReceived(received);
    statuses.report(status(last, named, ""));
    RemoteConfigApplier applier = applier();
    applier.resume();
    applier.startOnKnownConfig();
    return applier;
  }

  private RemoteConfigApplier applier() {
    return new RemoteConfigApplier(composer, AgentDescription::getDefaultInstance, collector, yaml -> validation,
        store, statuses, false);
  }

  private static AgentRemoteConfig remote(String name, String yaml) {
    return AgentRemoteConfig.newBuilder().setConfigHash(hash(name)).setConfig(AgentConfigMap.newBuilder()
        .putConfigMap("", AgentConfigFile.newBuilder().setBody(ByteString.copyFromUtf8(yaml)).build())).build();
  }

  private static ByteString hash(String name) {
    return ByteString.copyFromUtf8(name);
  }

  private static RemoteConfigStatus status(RemoteConfigStatuses status, String name, String error) {
    return RemoteConfigStatus.newBuilder().setStatus(status).setLastRemoteConfigHash(hash(name))
        .setErrorMessage(error).build();
  }

  /** A collector that is healthy on what it runs unless the test says otherwise. */
  private static final class StandInCollector implements RemoteConfigApplier.Collector {
    final List<String> runs = new ArrayList<>();
    boolean healthy = true;
    boolean running;
    /** The config the collector was stopped on as the server asked, or null. */
    String stoppedOn;
    /** Whether the config file can be written (a full disk: it cannot). */
    boolean writable = true;

    @Override
    public boolean run(Composed composed, boolean reload) {
      if (!writable) {
        return false;
      }
      runs.add(composed.yaml());
      running = true;
      return true;
    }

    @Override
    public void stop() {
      running = false;
    }

    @Override
    public void stopAsAsked(Composed composed) {
      stop();
      stoppedOn = composed.yaml();
    }

    @Override
    public boolean isRunning() {
      return running;
    }

    /** What happens while the applier waits for health (the supervisor told to stop, say). */
    Runnable meanwhile = () -> { };

    @Override
    public boolean awaitHealthy() {
      meanwhile.run();
      return healthy;
    }

    @Override
    public String failure() {
      return "exit 1: hostmetrics is not built in";
    }

    String lastRun() {
      return runs.get(runs.size() - 1);
    }
  }

  /** The statuses as the supervisor keeps them: the last one, and every one reported. */
  private static class RecordedStatuses implements RemoteConfigApplier.Statuses {
    private final List<RemoteConfigStatus> reported = new ArrayList<>();

    @Override
    public RemoteConfigStatus last() {
      return reported.isEmpty() ? RemoteConfigStatus.getDefaultInstance() : reported.get(reported.size() - 1);
    }

    @Override
    public void report(RemoteConfigStatus status) {
      reported.add(status);
    }

    List<String> seen() {
      return reported.stream().map(s -> s.getStatus().name().replace("RemoteConfigStatuses_", "") + " "
          + s.getLastRemoteConfigHash().toString(StandardCharsets.UTF_8)).toList();
    }
  }
}

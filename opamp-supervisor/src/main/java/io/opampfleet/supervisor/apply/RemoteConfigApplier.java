package io.opampfleet.supervisor.apply;

import com.google.protobuf.ByteString;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentRemoteConfig;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.supervisor.compose.ComposeException;
import io.opampfleet.supervisor.compose.Composed;
import io.opampfleet.supervisor.compose.EffectiveConfigComposer;
import io.opampfleet.supervisor.storage.RemoteConfigStore;
import java.io.IOException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which config the collector runs. A remote config is composed, validated, run, and
 * APPLIED only once the collector is healthy on it; otherwise it is FAILED with the reason and
 * the last good config runs again. At start the collector never runs a config that failed, nor one
 * the supervisor was killed while applying. Called from the supervisor's one loop thread only.
 */
public final class RemoteConfigApplier {
  private static final Logger log = LoggerFactory.getLogger(RemoteConfigApplier.class);

  /** What the applier needs of the collector's process. */
  public interface Collector {
    /**
     * Runs the collector on this config; by SIGHUP when {@code reload} and it runs. False when the
     * config could not be handed over (its file cannot be written): the collector runs as it did.
     */
    boolean run(Composed composed, boolean reload) throws InterruptedException;

    void stop() throws InterruptedException;

    /**
     * Stops the collector as the server asked (a remote config with no files): a stop on purpose, so
     * it is reported healthy, with the config composed without the remote one as its effective config.
     */
    void stopAsAsked(Composed composed) throws InterruptedException;

    boolean isRunning();

    /** Waits (up to agent::config_apply_timeout) for the collector to report healthy. */
    boolean awaitHealthy() throws InterruptedException;

    /** Why the collector is not healthy, with what it logged. */
    String failure();
  }

  /** The collector's own verdict on a config before it runs: its problems, or empty. */
  @FunctionalInterface
  public interface Validator {
    Validator NONE = yaml -> Optional.empty();

    Optional<String> problems(String yaml) throws IOException, InterruptedException;
  }

  /** Where a remote config's status goes: the supervisor's state on disk, and the server. */
  public interface Statuses {
    RemoteConfigStatus last();

    void report(RemoteConfigStatus status);
  }

  private final EffectiveConfigComposer composer;
  private final Supplier<AgentDescription> description;
  private final Collector collector;
  private final Validator validator;
  private final RemoteConfigStore store;
  private final Statuses statuses;
  private final boolean reloadByHup;
  private AgentRemoteConfig running;
  private AgentRemoteConfig lastGood;
  /** The collector runs agent::startup_fallback_configs (until the first connection). */
  private boolean onFallback;
  /** Set by the thread that stops the supervisor too, not only on the loop. */
  private volatile boolean stopping;

  /**
   * @param reloadByHup agent::use_hup_config_reload: a new config reaches a running collector by SIGHUP
   */
  public RemoteConfigApplier(EffectiveConfigComposer composer, Supplier<AgentDescription> description,
      Collector collector, Validator validator, RemoteConfigStore store, Statuses statuses, boolean reloadByHup) {
    this.composer = composer;
    this.description = description;
    this.collector = collector;
    this.validator = validator;
    this.store = store;
    this.statuses = statuses;
    this.reloadByHup = reloadByHup;
  }

  /**
   * Takes up the remote configs stored by the run before: the last received and the last good. The Go
   * supervisor keeps a last good one only with automatic_config_rollback: without it, the last received
   * config, when APPLIED, is the last good one.
   */
  public void resume() {
    running = store.lastReceived();
    lastGood = store.lastWorking();
    RemoteConfigStatus last = statuses.last();
    if (lastGood == null && running != null && last.getStatus() == RemoteConfigStatuses.RemoteConfigStatuses_APPLIED
        && last.getLastRemoteConfigHash().equals(running.getConfigHash())) {
      lastGood = running;
    }
  }

  /** Whether no remote config was ever received or worked (the startup fallback may run). */
  public boolean knowsNoRemoteConfig() {
    return running == null && lastGood == null;
  }

  /**
   * Starts the collector on what it ran last, or the last good config, or the configuration it has
   * without any remote config. The last received config runs only when the last status reported is
   * APPLIED for it (or none is known): never one reported FAILED, nor one left APPLYING (never seen
   * healthy, it could crash the collector at every start, so it is reported FAILED), nor one the last
   * status does not name (received after the last status, or replaced by the last good config since).
   */
  public void startOnKnownConfig() throws InterruptedException {
    RemoteConfigStatus last = statuses.last();
    boolean unverified = last.getStatus() == RemoteConfigStatuses.RemoteConfigStatuses_APPLYING;
    boolean named = running != null && last.getLastRemoteConfigHash().equals(running.getConfigHash());
    if (unverified && named && lastGood != null && lastGood.getConfigHash().equals(running.getConfigHash())) {
      // Stopped after the config was kept as the last good one, before its APPLIED was: it was applied.
      report(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED, running.getConfigHash(), "");
      last = statuses.last();
    }
    if (running != null && last.getStatus() != RemoteConfigStatuses.RemoteConfigStatuses_UNSET
        && !(named && last.getStatus() == RemoteConfigStatuses.RemoteConfigStatuses_APPLIED)) {
      running = lastGood;
      if (unverified && named) {
        report(RemoteConfigStatuses.RemoteConfigStatuses_FAILED, last.getLastRemoteConfigHash(),
            "the supervisor stopped while applying it, before the collector was seen healthy on it; "
                + (lastGood == null ? "the configuration it had before any remote config runs"
                : "the last good remote config runs"));
      }
    }
    for (AgentRemoteConfig candidate : new AgentRemoteConfig[] {running, lastGood, null}) {
      try {
        Composed composed = composer.compose(candidate, description.get());
        running = candidate;
        onFallback = false;
        runOrStop(composed);
        return;
      } catch (ComposeException e) {
        log.warn("the stored remote config cannot be used ({}); trying the one before it", e.getMessage());
      }
    }
  }

  /** Starts the collector on agent::startup_fallback_configs; false when they cannot be composed. */
  public boolean startOnFallback() throws InterruptedException {
    try {
      collector.run(composer.composeFallback(description.get()), reloadByHup);
      onFallback = true;
      return true;
    } catch (ComposeException e) {
      log.warn("the startup fallback configs cannot be used ({}); starting on the normal config", e.getMessage());
      return false;
    }
  }

  /** A remote config from the server: APPLIED once the collector is healthy on it, or FAILED and reverted. */
  public void apply(AgentRemoteConfig offered) throws InterruptedException {
    if (stopping) {
      return;
    }
    ByteString hash = offered.getConfigHash();
    if (running != null && running.getConfigHash().equals(hash)
        && (collector.isRunning() || stopsTheCollector(running))) {
      // Stored as the last received too: a config that failed since must not be what the next start finds.
      store.saveReceived(offered);
      report(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED, hash, "");
      return;
    }
    store.saveReceived(offered);
    report(RemoteConfigStatuses.RemoteConfigStatuses_APPLYING, hash, "");
    onFallback = false;
    Composed composed;
    try {
      composed = composer.compose(offered, description.get());
    } catch (ComposeException e) {
      report(RemoteConfigStatuses.RemoteConfigStatuses_FAILED, hash, e.getMessage() + "; the previous config keeps running");
      return;
    }
    if (!composed.remoteConfigEmpty()) {
      Optional<String> problems = validated(composed);
      if (problems.isPresent()) {
        report(RemoteConfigStatuses.RemoteConfigStatuses_FAILED, hash, problems.get() + "; the previous config keeps running");
        return;
      }
    }
    if (composed.remoteConfigEmpty()) {
      // The server's way to stop the collector: what a later failed config goes back to, and a start keeps.
      collector.stopAsAsked(composed);
      running = offered;
      lastGood = offered;
      store.saveWorking(offered);
      report(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED, hash, "");
      return;
    }
    if (!collector.run(composed, reloadByHup)) {
      report(RemoteConfigStatuses.RemoteConfigStatuses_FAILED, hash, "the collector's config file cannot be written"
          + " (see the supervisor's log); the previous config keeps running");
      return;
    }
    if (collector.awaitHealthy()) {
      running = offered;
      lastGood = offered;
      store.saveWorking(offered);
      report(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED, hash, "");
      return;
    }
    if (stopping) {
      // Never judged: it stays APPLYING, and the next start runs the last good config and says so.
      return;
    }
    AgentRemoteConfig previous = lastGood;
    String failure = collector.failure();
    // Reverted before the failure is reported: a report that cannot be kept (a full disk) must not
    // leave the collector on the config that failed.
    try {
      running = previous;
      runOrStop(composer.compose(previous, description.get()));
    } catch (ComposeException e) {
      log.error("the last good config no longer composes: {}", e.getMessage());
    }
    report(RemoteConfigStatuses.RemoteConfigStatuses_FAILED, hash, failure + "; reverted to "
        + (previous == null ? "the configuration it had before any remote config" : "the last good remote config"));
  }

  /** The running config composed again (its own telemetry moved, a new uid) and handed to the collector. */
  public void recompose() throws InterruptedException, ComposeException {
    runOrStop(composedNow());
  }

  /**
   * The running config composed again and handed over, then judged as a remote config is: empty once
   * the collector is healthy on it (or the server has it stopped), else why not.
   */
  public Optional<String> recomposeAndCheck() throws InterruptedException {
    return handedOverAndJudged(reloadByHup, null);
  }

  /** A new collector process on the running config (the server's restart command); none when the server stopped it. */
  public void restart() throws InterruptedException, ComposeException {
    runOrStop(composedNow(), false);
  }

  /**
   * The config the collector runs now, composed again: the startup fallback until the first
   * connection ends it (a collector that crashed meanwhile comes back on it, as the Go supervisor's
   * restarts its effective.yaml), else the running remote config.
   */
  private Composed composedNow() throws ComposeException {
    return onFallback ? composer.composeFallback(description.get()) : composer.compose(running, description.get());
  }

  /** A new collector process on the running config (a new executable needs one); empty once healthy. */
  public Optional<String> relaunchAndCheck() throws InterruptedException {
    return handedOverAndJudged(false, "not run: the server has the collector stopped (its remote config has no files)");
  }

  /**
   * The config the collector runs now handed over again ({@code reload}: by SIGHUP when it can), then
   * judged: empty once the collector is healthy on it, else why not; {@code whenStopped} (null for
   * nothing to say) while the server has the collector stopped.
   */
  private Optional<String> handedOverAndJudged(boolean reload, String whenStopped) throws InterruptedException {
    try {
      runOrStop(composedNow(), reload);
    } catch (ComposeException e) {
      return Optional.of(e.getMessage());
    }
    if (!onFallback && stopsTheCollector(running)) {
      return Optional.ofNullable(whenStopped);
    }
    return collector.awaitHealthy() ? Optional.empty() : Optional.of(collector.failure());
  }

  /** The supervisor is stopping: configs that arrive from now on are left alone. */
  public void stopping() {
    stopping = true;
  }

  /** Runs the collector on the config; an empty remote config (the server's way to stop it) stops it. */
  private void runOrStop(Composed composed) throws InterruptedException {
    runOrStop(composed, reloadByHup);
  }

  private void runOrStop(Composed composed, boolean reload) throws InterruptedException {
    if (composed.remoteConfigEmpty()) {
      collector.stopAsAsked(composed);
    } else {
      collector.run(composed, reload);
    }
  }

  /** Whether the remote config is the server's way to stop the collector: one with no files. */
  private static boolean stopsTheCollector(AgentRemoteConfig config) {
    return config != null && config.getConfig().getConfigMapCount() == 0;
  }

  private Optional<String> validated(Composed composed) throws InterruptedException {
    try {
      return validator.problems(composed.yaml());
    } catch (IOException e) {
      return Optional.of("the collector could not validate it: " + e.getMessage());
    }
  }

  private void report(RemoteConfigStatuses status, ByteString hash, String error) {
    statuses.report(RemoteConfigStatus.newBuilder().setStatus(status).setLastRemoteConfigHash(hash)
        .setErrorMessage(error).build());
    if (status == RemoteConfigStatuses.RemoteConfigStatuses_FAILED) {
      log.warn("remote config {} FAILED: {}", HexFormat.of().formatHex(hash.toByteArray()), error);
    }
  }
}

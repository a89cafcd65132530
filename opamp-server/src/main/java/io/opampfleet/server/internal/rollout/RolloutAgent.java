package io.opampfleet.server.internal.rollout;

import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.store.RolloutAgentRow;

/** One agent's place in a rollout. Changed only on the rollout engine's thread. */
final class RolloutAgent {
  final String uid;
  final int wave;
  AgentProgress progress;
  /** The config the agent had before the rollout touched it; null when the server had given it none. */
  ConfigVersion previous;
  /**
   * The version of the rollout's package the agent goes back to: what it was offered or had, hosted,
   * before the rollout; null when the rollout carries no package.
   */
  final String previousPackage;
  long since;
  String message;
  static final long NOT_AWAY = -1;

  /** Seen connected since its wave started (this process only): offline deadlines end there. */
  boolean connectedInWave;

  /**
   * The error of a FAILED the agent reported for the rollout's version before its wave sent it (it
   * refused it in an earlier rollout, and runs what it had): not counted until the agent reports
   * anything else, since it is sent the version again; null for none. Stored as a flag: see {@link
   * #staleUnread}.
   */
  String staleFailure;

  /** Read back from the store with a stale failure, whose error the agent's report gives as the rollout resumes. */
  boolean staleUnread;

  /** When an agent in flight was last seen leaving (this process only); NOT_AWAY while connected. */
  long awaySince = NOT_AWAY;

  RolloutAgent(String uid, int wave, AgentProgress progress, ConfigVersion previous, String previousPackage,
      long since, String message) {
    this.uid = uid;
    this.wave = wave;
    this.progress = progress;
    this.previous = previous;
    this.previousPackage = previousPackage;
    this.since = since;
    this.message = message;
  }

  RolloutAgentRow row(long rolloutId) {
    return new RolloutAgentRow(rolloutId, uid, wave, progress.name(), previous == null ? null : previous.name(),
        previous == null ? null : previous.version(), previousPackage, since, message,
        staleFailure != null || staleUnread);
  }
}

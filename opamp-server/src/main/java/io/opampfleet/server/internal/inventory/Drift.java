package io.opampfleet.server.internal.inventory;

import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.server.internal.configs.diff.LineDiff;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The event an agent's drift makes when it begins: why it does not run what the server wants, and
 * a diff from the wanted config to what it reports in effect.
 */
final class Drift {
  private static final int MAX_DIFF_CHARS = 1_500;
  private static final int MAX_DIFFED_CHARS = 64 * 1024;

  private Drift() {}

  /** The DRIFTED event, when the agent was not drifted before this report and is now. */
  static Optional<AgentEvent> began(AgentSnapshot agent, boolean before, long now) {
    Optional<String> drift = agent.drift();
    if (before || drift.isEmpty()) {
      return Optional.empty();
    }
    String effective = agent.effectiveConfig() == null ? "" : agent.effectiveConfig().getConfigMap().getConfigMapMap()
        .values().stream().map(AgentConfigFile::getBody).map(body -> body.toString(StandardCharsets.UTF_8))
        .collect(Collectors.joining("\n"));
    return Optional.of(new AgentEvent(agent.uid(), now, AgentEvent.Kind.DRIFTED,
        drift.get() + "\n" + diff(agent.desired().label(), agent.desired().body(), effective)));
  }

  /** Diffs only configs of a size a person reads: the work of a diff grows with their size. */
  private static String diff(String label, String desired, String effective) {
    if (desired.length() > MAX_DIFFED_CHARS || effective.length() > MAX_DIFFED_CHARS) {
      return "(no diff: a config is over " + MAX_DIFFED_CHARS / 1024 + " KiB; the agent's page shows both)";
    }
    String diff = LineDiff.unified(label, "effective", desired, effective, 1);
    return diff.length() > MAX_DIFF_CHARS ? diff.substring(0, MAX_DIFF_CHARS) + "\n…" : diff;
  }
}

package io.opampfleet.server.inventory;

import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.server.configs.diff.LineDiff;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The event an agent's drift makes when it begins: why it does not run what the server wants, and
 * a diff from the wanted config to what it reports in effect.
 */
final class Drift {
  private static final int MAX_DIFF_CHARS = 1_500;

  private Drift() {}

  /** The DRIFTED event, when the agent was not drifted before this report and is now. */
  static Optional<AgentEvent> began(AgentSnapshot agent, boolean before, long now) {
    Optional<String> drift = agent.drift();
    if (before || drift.isEmpty()) {
      return Optional.empty();
    }
    String effective = agent.effectiveConfig() == null ? "" : agent.effectiveConfig().getConfigMap().getConfigMapMap()
        .values().stream().map(AgentConfigFile::getBody).map(body -> body.toString(StandardCharsets.UTF_8))
        .reduce("", String::concat);
    String diff = LineDiff.unified(agent.desired().label(), "effective", agent.desired().body(), effective, 1);
    if (diff.length() > MAX_DIFF_CHARS) {
      diff = diff.substring(0, MAX_DIFF_CHARS) + "\n…";
    }
    return Optional.of(new AgentEvent(agent.uid(), now, AgentEvent.Kind.DRIFTED, drift.get() + "\n" + diff));
  }
}

package io.opampfleet.server.internal.inventory;

import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.KeyValue;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * The most the server keeps of what one agent reports, checked before any of it is kept, echoed or
 * logged: a report over a limit is refused whole, with the part and the limit named. Together the
 * limits are the ceiling of one agent's state in the store (see {@link #perAgentCeiling()}); parsed in
 * memory a part can take up to about 16 times its encoded size, which {@link ReportedStateBudget} counts.
 *
 * @param maxDescriptionBytes the agent description, encoded
 * @param maxAttributes identifying and non-identifying attributes together
 * @param maxAttributeBytes one attribute, key and value encoded
 * @param maxHealthBytes the health tree, encoded
 * @param maxHealthDepth levels of the health tree below the agent's own
 * @param maxHealthComponents components in the health tree
 * @param maxEffectiveConfigBytes the effective config, encoded
 * @param maxStatusBytes each of the remote config, connection settings and custom capabilities
 *     statuses, and a connection settings request (a CSR), encoded
 * @param maxPackageStatusesBytes the package statuses, encoded
 * @param maxAvailableComponentsBytes the available components, encoded
 */
public record ReportLimits(int maxDescriptionBytes, int maxAttributes, int maxAttributeBytes, int maxHealthBytes,
    int maxHealthDepth, int maxHealthComponents, int maxEffectiveConfigBytes, int maxStatusBytes,
    int maxPackageStatusesBytes, int maxAvailableComponentsBytes) {
  private static final int KIB = 1024;

  public static ReportLimits defaults() {
    return new ReportLimits(64 * KIB, 256, 4 * KIB, 256 * KIB, 8, 1_000, 1024 * KIB, 16 * KIB, 64 * KIB,
        256 * KIB);
  }

  /** Bytes one agent's reported state can take at most, the sum of the parts the server keeps. */
  public long perAgentCeiling() {
    return (long) maxDescriptionBytes + maxHealthBytes + maxEffectiveConfigBytes + maxStatusBytes
        + maxPackageStatusesBytes + maxAvailableComponentsBytes;
  }

  /** Why the report cannot be kept, or empty when every part is within its limit. */
  public Optional<String> problem(AgentToServer message) {
    if (message.hasAgentDescription()) {
      Optional<String> problem = description(message.getAgentDescription());
      if (problem.isPresent()) {
        return problem;
      }
    }
    if (message.hasHealth()) {
      Optional<String> problem = over("health", message.getHealth().getSerializedSize(), maxHealthBytes)
          .or(() -> health(message.getHealth()));
      if (problem.isPresent()) {
        return problem;
      }
    }
    return over("effective_config", message.getEffectiveConfig().getSerializedSize(), maxEffectiveConfigBytes)
        .or(() -> over("remote_config_status", message.getRemoteConfigStatus().getSerializedSize(), maxStatusBytes))
        .or(() -> over("connection_settings_request", message.getConnectionSettingsRequest().getSerializedSize(),
            maxStatusBytes))
        .or(() -> over("connection_settings_status", message.getConnectionSettingsStatus().getSerializedSize(),
            maxStatusBytes))
        .or(() -> over("custom_capabilities", message.getCustomCapabilities().getSerializedSize(), maxStatusBytes))
        .or(() -> over("package_statuses", message.getPackageStatuses().getSerializedSize(), maxPackageStatusesBytes))
        .or(() -> over("available_components", message.getAvailableComponents().getSerializedSize(),
            maxAvailableComponentsBytes));
  }

  private Optional<String> description(AgentDescription description) {
    int attributes = description.getIdentifyingAttributesCount() + description.getNonIdentifyingAttributesCount();
    if (attributes > maxAttributes) {
      return Optional.of("agent_description has " + attributes + " attributes; the limit is " + maxAttributes);
    }
    Optional<String> problem = over("agent_description", description.getSerializedSize(), maxDescriptionBytes);
    for (KeyValue attribute : description.getIdentifyingAttributesList()) {
      problem = problem.or(() -> over("an identifying attribute", attribute.getSerializedSize(), maxAttributeBytes));
    }
    for (KeyValue attribute : description.getNonIdentifyingAttributesList()) {
      problem = problem.or(() -> over("a non-identifying attribute", attribute.getSerializedSize(),
          maxAttributeBytes));
    }
    return problem;
  }

  /** Walks the tree without recursion, so its depth cannot take the stack. */
  private Optional<String> health(ComponentHealth root) {
    record Level(ComponentHealth node, int depth) {}
    Deque<Level> pending = new ArrayDeque<>();
    pending.push(new Level(root, 0));
    int components = 0;
    while (!pending.isEmpty()) {
      Level level = pending.pop();
      if (level.depth() > maxHealthDepth) {
        return Optional.of("health is nested deeper than " + maxHealthDepth + " levels");
      }
      components += level.node().getComponentHealthMapCount();
      if (components > maxHealthComponents) {
        return Optional.of("health has more than " + maxHealthComponents + " components");
      }
      level.node().getComponentHealthMapMap().values().forEach(child -> pending.push(new Level(child, level.depth() + 1)));
    }
    return Optional.empty();
  }

  private static Optional<String> over(String part, int bytes, int limit) {
    return bytes > limit ? Optional.of(part + " is " + bytes + " bytes; the limit is " + limit) : Optional.empty();
  }
}

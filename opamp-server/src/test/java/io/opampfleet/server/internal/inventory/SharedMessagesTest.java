package io.opampfleet.server.internal.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.ComponentDetails;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.proto.KeyValue;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Agents of one collector build hold one parsed list of its components between them, and agents
 * running one config one parsed effective config.
 */
class SharedMessagesTest {
  private final Inventory inventory = new Inventory("a", uids -> List.of());
  private final Reports reports = new Reports(inventory);

  @Test
  void agentsReportingTheSameComponentsShareOneListAndAnAgentWithOthersKeepsItsOwn() throws Exception {
    Agent first = inventory.add("first");
    Agent second = inventory.add("second");
    Agent other = inventory.add("other");

    // Each message is parsed from its own bytes, as each agent's arrives.
    reports.apply(first, received(components("otlp", "v0.149.0")), "/10.0.0.1:1", 1_000);
    reports.apply(second, received(components("otlp", "v0.149.0")), "/10.0.0.2:1", 1_000);
    reports.apply(other, received(components("kafka", "v0.149.0")), "/10.0.0.3:1", 1_000);

    assertThat(second.snapshot().availableComponents()).isSameAs(first.snapshot().availableComponents())
        .isEqualTo(components("otlp", "v0.149.0"));
    assertThat(other.snapshot().availableComponents()).isNotSameAs(first.snapshot().availableComponents())
        .isEqualTo(components("kafka", "v0.149.0"));
  }

  @Test
  void agentsReportingTheSameEffectiveConfigShareOneAndAnAgentWithAnotherKeepsItsOwn() throws Exception {
    Agent first = inventory.add("first");
    Agent second = inventory.add("second");
    Agent other = inventory.add("other");

    reports.apply(first, received(effective("receivers: {otlp: {}}")), "/10.0.0.1:1", 1_000);
    reports.apply(second, received(effective("receivers: {otlp: {}}")), "/10.0.0.2:1", 1_000);
    reports.apply(other, received(effective("receivers: {kafka: {}}")), "/10.0.0.3:1", 1_000);

    assertThat(second.snapshot().effectiveConfig()).isSameAs(first.snapshot().effectiveConfig())
        .isEqualTo(effective("receivers: {otlp: {}}").getEffectiveConfig());
    assertThat(other.snapshot().effectiveConfig()).isNotSameAs(first.snapshot().effectiveConfig())
        .isEqualTo(effective("receivers: {kafka: {}}").getEffectiveConfig());
  }

  private static AgentToServer effective(String yaml) {
    return AgentToServer.newBuilder().setEffectiveConfig(EffectiveConfig.newBuilder().setConfigMap(
        AgentConfigMap.newBuilder().putConfigMap("", AgentConfigFile.newBuilder()
            .setBody(ByteString.copyFromUtf8(yaml)).build()))).build();
  }

  private static AgentToServer received(AgentToServer parts) throws Exception {
    return AgentToServer.parseFrom(AgentToServer.newBuilder(parts).setSequenceNum(1)
        .setAgentDescription(AgentDescription.getDefaultInstance()).build().toByteArray());
  }

  private static AgentToServer received(AvailableComponents components) throws Exception {
    return AgentToServer.parseFrom(AgentToServer.newBuilder().setSequenceNum(1)
        .setAgentDescription(AgentDescription.getDefaultInstance()).setAvailableComponents(components)
        .build().toByteArray());
  }

  private static AvailableComponents components(String receiver, String version) {
    KeyValue built = KeyValue.newBuilder().setKey("version").setValue(AnyValue.newBuilder().setStringValue(version))
        .build();
    return AvailableComponents.newBuilder()
        .putComponents("receivers", ComponentDetails.newBuilder()
            .putSubComponentMap(receiver, ComponentDetails.newBuilder().addMetadata(built).build()).build())
        .putComponents("exporters", ComponentDetails.newBuilder()
            .putSubComponentMap("debug", ComponentDetails.newBuilder().addMetadata(built).build()).build())
        .build();
  }
}

package io.opampfleet.harness.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.opampfleet.proto.AvailableComponents;
import org.junit.jupiter.api.Test;

class AgentFleetTest {
  @Test
  void collectorSizedComponentsAreAboutTheSizeAskedAndHoldWhatTheRolledOutConfigNames() {
    AvailableComponents components = AgentFleet.components(1_400);

    assertThat(components.getSerializedSize()).isBetween(1_400, 1_600);
    assertThat(components.getComponentsMap().get("receivers").getSubComponentMapMap()).containsKey("nop");
    assertThat(components.getComponentsMap().get("exporters").getSubComponentMapMap()).containsKey("nop");
    assertThat(components.getComponentsMap()).containsKeys("processors", "extensions");
  }
}

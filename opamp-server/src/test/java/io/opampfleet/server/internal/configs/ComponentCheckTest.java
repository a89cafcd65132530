package io.opampfleet.server.internal.configs;

import static org.assertj.core.api.Assertions.assertThat;

import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.ComponentDetails;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ComponentCheckTest {
  /** What a collector with otlp and nop receivers, the batch processor and debug and otlp exporters reports. */
  private static final AvailableComponents COLLECTOR = components(Map.of(
      "receivers", List.of("otlp", "nop"), "processors", List.of("batch"), "exporters", List.of("debug", "otlp"),
      "extensions", List.of("opamp", "health_check")));
  private static final String CONFIG = """
      receivers:
        otlp/in: {protocols: {grpc: {}}}
      processors:
        batch: {}
      exporters:
        kafka: {brokers: [k:9092]}
        debug: {}
        kafka/two: {}
      connectors:
        spanmetrics: {}
      service:
        pipelines: {traces: {receivers: [otlp/in], exporters: [kafka, debug]}}
      """;

  @Test
  void everyComponentTheConfigNamesAndTheAgentLacksIsListedOnceByKindAndType() {
    assertThat(ComponentCheck.missing(CONFIG, COLLECTOR)).containsExactly("exporters/kafka", "connectors/spanmetrics");
  }

  @Test
  void aConfigOfComponentsTheAgentHasPasses() {
    assertThat(ComponentCheck.missing("receivers: {nop: {}}\nexporters: {debug: {}}\n", COLLECTOR)).isEmpty();
  }

  @Test
  void anAgentThatReportsNoComponentsCannotBeCheckedAndPasses() {
    assertThat(ComponentCheck.missing(CONFIG, AvailableComponents.getDefaultInstance())).isEmpty();
    assertThat(ComponentCheck.missing(CONFIG, null)).isEmpty();
  }

  static AvailableComponents components(Map<String, List<String>> byKind) {
    AvailableComponents.Builder components = AvailableComponents.newBuilder();
    byKind.forEach((kind, types) -> {
      ComponentDetails.Builder details = ComponentDetails.newBuilder();
      types.forEach(type -> details.putSubComponentMap(type, ComponentDetails.getDefaultInstance()));
      components.putComponents(kind, details.build());
    });
    return components.build();
  }
}

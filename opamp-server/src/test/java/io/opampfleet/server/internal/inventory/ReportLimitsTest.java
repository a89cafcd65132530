package io.opampfleet.server.internal.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.proto.RemoteConfigStatus;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReportLimitsTest {
  private static final ReportLimits LIMITS = ReportLimits.defaults();

  static Stream<Arguments> reports() {
    return Stream.of(
        Arguments.of("an ordinary report", report(description(10, 20), health(3, 4), config(50_000)), null),
        Arguments.of("256 attributes", report(description(256, 10), null, null), null),
        Arguments.of("257 attributes", report(description(257, 10), null, null),
            "agent_description has 257 attributes; the limit is 256"),
        Arguments.of("an attribute of 5,000 bytes", report(description(1, 5_000), null, null),
            "an identifying attribute is 50"),
        Arguments.of("a description over 64 KiB", report(description(200, 400), null, null),
            "agent_description is 8"),
        Arguments.of("health 8 levels deep", report(null, health(8, 1), null), null),
        Arguments.of("health 9 levels deep", report(null, health(9, 1), null),
            "health is nested deeper than 8 levels"),
        Arguments.of("health of 1,001 components", report(null, health(1, 1_001), null),
            "health has more than 1000 components"),
        Arguments.of("an effective config over 1 MiB", report(null, null, config(1024 * 1024)),
            "effective_config is 1048608 bytes; the limit is 1048576"),
        Arguments.of("a remote config status over 16 KiB", AgentToServer.newBuilder().setRemoteConfigStatus(
                RemoteConfigStatus.newBuilder().setErrorMessage("x".repeat(20_000))).build(),
            "remote_config_status is 2000"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("reports")
  void aReportIsKeptOnlyWithinEveryLimit(String name, AgentToServer report, String problem) {
    if (problem == null) {
      assertThat(LIMITS.problem(report)).isEmpty();
    } else {
      assertThat(LIMITS.problem(report)).hasValueSatisfying(text -> assertThat(text).startsWith(problem));
    }
  }

  @org.junit.jupiter.api.Test
  void theCeilingOfOneAgentIsTheSumOfItsParts() {
    assertThat(LIMITS.perAgentCeiling()).isEqualTo((64 + 256 + 1024 + 16 + 64 + 256) * 1024L);
  }

  private static AgentToServer report(AgentDescription description, ComponentHealth health, EffectiveConfig config) {
    AgentToServer.Builder report = AgentToServer.newBuilder().setInstanceUid(ByteString.copyFrom(new byte[16]));
    if (description != null) {
      report.setAgentDescription(description);
    }
    if (health != null) {
      report.setHealth(health);
    }
    if (config != null) {
      report.setEffectiveConfig(config);
    }
    return report.build();
  }

  private static AgentDescription description(int attributes, int valueBytes) {
    AgentDescription.Builder description = AgentDescription.newBuilder();
    for (int i = 0; i < attributes; i++) {
      description.addIdentifyingAttributes(KeyValue.newBuilder().setKey("k" + i)
          .setValue(AnyValue.newBuilder().setStringValue("v".repeat(valueBytes))));
    }
    return description.build();
  }

  /** A tree {@code depth} levels below the agent, each node with {@code width} children on the first level. */
  private static ComponentHealth health(int depth, int width) {
    ComponentHealth.Builder chain = ComponentHealth.newBuilder().setHealthy(true);
    for (int level = 1; level < depth; level++) {
      chain = ComponentHealth.newBuilder().setHealthy(true).putComponentHealthMap("level-" + level, chain.build());
    }
    ComponentHealth.Builder root = ComponentHealth.newBuilder().setHealthy(true);
    for (int i = 0; i < width; i++) {
      root.putComponentHealthMap("component-" + i, i == 0 ? chain.build() : ComponentHealth.newBuilder().build());
    }
    return root.build();
  }

  private static EffectiveConfig config(int bytes) {
    return EffectiveConfig.newBuilder().setConfigMap(AgentConfigMap.newBuilder().putConfigMap("collector.yaml",
        AgentConfigFile.newBuilder().setBody(ByteString.copyFrom(new byte[bytes])).build())).build();
  }
}

package io.opampfleet.server.internal.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.server.internal.configs.ConfigVersion;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When an agent counts as drifted, and what its DRIFTED event says. */
class DriftTest {
  private static final String UID = "0123456789abcdef0123456789abcdef";
  private static final ConfigVersion OLD = version(1, "receivers: {old: {}}\n");
  private static final ConfigVersion NEW = version(2, "receivers: {new: {}}\n");

  private final Reports reports = new Reports(new Inventory());
  private final Agent agent = new Agent(UID);

  @Test
  void aPollThatFetchesANewConfigWhileReportingTheOldIsNotDriftButTheNextPollThatStillDoesIs() {
    report(running(OLD), 1);
    agent.desire(NEW);

    List<AgentEvent> fetching = report(running(OLD), 2);
    assertThat(agent.configToSend()).isEqualTo(NEW);
    assertThat(fetching).noneMatch(event -> event.kind() == AgentEvent.Kind.DRIFTED);
    assertThat(agent.snapshot().drift()).isEmpty();

    List<AgentEvent> stillOld = report(running(OLD), 3);

    assertThat(agent.snapshot().drift()).contains("runs another config than app@2");
    assertThat(stillOld).filteredOn(event -> event.kind() == AgentEvent.Kind.DRIFTED).singleElement()
        .satisfies(event -> assertThat(event.detail()).contains("-receivers: {new: {}}").contains("+receivers: {old: {}}"));
  }

  @Test
  void anAgentThatRefusesTheConfigIsDriftedAtOnce() {
    agent.desire(NEW);
    assertThat(agent.configToSend()).isEqualTo(NEW);

    report(AgentToServer.newBuilder().setRemoteConfigStatus(status(NEW, RemoteConfigStatuses.RemoteConfigStatuses_FAILED)
        .setErrorMessage("unknown receiver")), 1);

    assertThat(agent.snapshot().drift()).contains("refused app@2: unknown receiver");
  }

  @Test
  void anAgentThatAlreadyRunsTheDesiredConfigAndLaterRunsAnotherIsDrifted() {
    report(running(NEW), 1);
    agent.desire(NEW);
    assertThat(agent.configToSend()).isNull();

    report(running(OLD), 2);

    assertThat(agent.snapshot().drift()).contains("runs another config than app@2");
  }

  @Test
  void configsTooLargeToReadAreNotDiffed() {
    agent.desire(NEW);
    agent.configToSend();

    List<AgentEvent> events = report(running(OLD).setEffectiveConfig(effective("x: " + "y".repeat(70 * 1024))), 1);

    assertThat(events).filteredOn(event -> event.kind() == AgentEvent.Kind.DRIFTED).singleElement()
        .satisfies(event -> assertThat(event.detail()).contains("no diff: a config is over 64 KiB")
            .hasSizeLessThan(200));
  }

  private List<AgentEvent> report(AgentToServer.Builder message, long now) {
    return reports.apply(agent, message.setInstanceUid(ByteString.copyFromUtf8(UID)).build(), "", now);
  }

  private static AgentToServer.Builder running(ConfigVersion version) {
    return AgentToServer.newBuilder().setRemoteConfigStatus(status(version, RemoteConfigStatuses.RemoteConfigStatuses_APPLIED))
        .setEffectiveConfig(effective(version.body()));
  }

  private static RemoteConfigStatus.Builder status(ConfigVersion version, RemoteConfigStatuses state) {
    return RemoteConfigStatus.newBuilder().setLastRemoteConfigHash(ByteString.copyFrom(version.hashBytes())).setStatus(state);
  }

  private static EffectiveConfig effective(String body) {
    return EffectiveConfig.newBuilder().setConfigMap(AgentConfigMap.newBuilder()
        .putConfigMap("", AgentConfigFile.newBuilder().setBody(ByteString.copyFromUtf8(body)).build())).build();
  }

  private static ConfigVersion version(int number, String body) {
    return new ConfigVersion("app", number, body, ConfigVersion.sha256(body), "test", "", Instant.EPOCH);
  }
}

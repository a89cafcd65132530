package io.opampfleet.server.internal.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.server.internal.configs.ConfigVersion;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** An agent the server decided runs its local config: told to drop a remote config whenever it runs one. */
class LocalConfigDecisionTest {
  private static final ConfigVersion FAILED_ONE = new ConfigVersion("app", 1, "x: 1\n", ConfigVersion.sha256("x: 1\n"),
      "test", "", Instant.EPOCH);

  private final Agent agent = new Agent("0123456789abcdef0123456789abcdef");

  @Test
  void anAgentRunningTheVersionIsToldToDropItOncePerConnectionUntilItRunsItsLocalConfig() {
    agent.remoteConfigStatus(status(FAILED_ONE.sha256(), RemoteConfigStatuses.RemoteConfigStatuses_APPLIED));
    agent.desireLocal();

    assertThat(agent.dropDue()).isTrue();
    assertThat(agent.dropDue()).as("already told over this connection").isFalse();
    agent.resendWhatItLacks();
    assertThat(agent.dropDue()).as("a new connection: the drop may not have arrived").isTrue();
    agent.remoteConfigStatus(status(ConfigVersion.LOCAL_CONFIG_SHA256, RemoteConfigStatuses.RemoteConfigStatuses_APPLIED));
    agent.resendWhatItLacks();
    assertThat(agent.dropDue()).as("it runs its local config").isFalse();
  }

  @Test
  void anAgentStillApplyingTheVersionIsLeftToFinishBeforeBeingTold() {
    agent.remoteConfigStatus(status(FAILED_ONE.sha256(), RemoteConfigStatuses.RemoteConfigStatuses_APPLYING));
    agent.desireLocal();

    assertThat(agent.dropDue()).isFalse();
    agent.remoteConfigStatus(status(FAILED_ONE.sha256(), RemoteConfigStatuses.RemoteConfigStatuses_APPLIED));
    assertThat(agent.dropDue()).isTrue();
  }

  @Test
  void anAgentThatRefusedTheVersionRunsItsLocalConfigAlreadyAndIsToldNothing() {
    agent.remoteConfigStatus(status(FAILED_ONE.sha256(), RemoteConfigStatuses.RemoteConfigStatuses_FAILED));
    agent.desireLocal();

    assertThat(agent.dropDue()).isFalse();
  }

  @Test
  void aVersionTheAgentRefusedIsSentOnceWhenTheServerDecidesOnItAgainAndNotOtherwise() {
    agent.desire(FAILED_ONE);
    assertThat(agent.configToSend()).isEqualTo(FAILED_ONE);
    agent.remoteConfigStatus(status(FAILED_ONE.sha256(), RemoteConfigStatuses.RemoteConfigStatuses_FAILED));
    agent.resendWhatItLacks();
    assertThat(agent.configToSend()).as("it knows it, and refused it: not sent at each connection").isNull();

    agent.desireLocal();
    agent.desire(FAILED_ONE);

    assertThat(agent.configToSend()).as("decided again: it may run now").isEqualTo(FAILED_ONE);
    assertThat(agent.configToSend()).isNull();
    agent.resendWhatItLacks();
    assertThat(agent.configToSend()).as("once per decision").isNull();
  }

  @Test
  void noAssignmentDecidesForItUntilAnExplicitActionDoes() {
    assertThat(agent.undecided()).isTrue();
    agent.desireLocal();
    assertThat(agent.undecided()).isFalse();
    assertThat(agent.snapshot().desiresLocal()).isTrue();

    agent.desire(FAILED_ONE);

    assertThat(agent.snapshot().desiresLocal()).isFalse();
    assertThat(agent.dropDue()).isFalse();
  }

  private static RemoteConfigStatus status(String sha256, RemoteConfigStatuses state) {
    return RemoteConfigStatus.newBuilder().setLastRemoteConfigHash(ByteString.fromHex(sha256)).setStatus(state).build();
  }
}

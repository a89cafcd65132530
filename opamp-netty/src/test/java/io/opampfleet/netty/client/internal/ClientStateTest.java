package io.opampfleet.netty.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opampfleet.proto.AgentCapabilities;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentIdentification;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AgentToServerFlags;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.ConnectionSettingsOffers;
import io.opampfleet.proto.CustomMessage;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.proto.OpAMPConnectionSettings;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.proto.ServerToAgentFlags;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClientStateTest {
  private static final ByteString UID = ByteString.copyFromUtf8("0123456789abcdef");
  private static final AgentDescription DESCRIPTION = AgentDescription.newBuilder()
      .addIdentifyingAttributes(KeyValue.newBuilder().setKey("service.name")).build();
  private static final ComponentHealth HEALTHY = ComponentHealth.newBuilder().setHealthy(true).build();

  private final ClientState state = new ClientState(UID, AgentCapabilities.AgentCapabilities_ReportsHeartbeat_VALUE,
      Duration.ofSeconds(30));

  @Test
  void theFirstMessageCarriesEverythingWithSequenceOneAndReportsStatus() {
    state.set(AgentToServer.AGENT_DESCRIPTION_FIELD_NUMBER, DESCRIPTION);
    state.set(AgentToServer.HEALTH_FIELD_NUMBER, HEALTHY);

    AgentToServer first = state.next();

    assertThat(first.getInstanceUid()).isEqualTo(UID);
    assertThat(first.getSequenceNum()).isEqualTo(1);
    assertThat(first.getAgentDescription()).isEqualTo(DESCRIPTION);
    assertThat(first.getHealth()).isEqualTo(HEALTHY);
    assertThat(first.getCapabilities() & AgentCapabilities.AgentCapabilities_ReportsStatus_VALUE).isNotZero();
  }

  @Test
  void laterMessagesCarryOnlyWhatChangedAndTheSequenceGoesUpByOne() {
    state.set(AgentToServer.AGENT_DESCRIPTION_FIELD_NUMBER, DESCRIPTION);
    state.next();

    assertThat(state.set(AgentToServer.AGENT_DESCRIPTION_FIELD_NUMBER, DESCRIPTION)).isFalse();
    assertThat(state.hasNews()).isFalse();
    state.set(AgentToServer.HEALTH_FIELD_NUMBER, HEALTHY);
    AgentToServer second = state.next();
    AgentToServer heartbeat = state.next();

    assertThat(second.getSequenceNum()).isEqualTo(2);
    assertThat(second.hasHealth()).isTrue();
    assertThat(second.hasAgentDescription()).isFalse();
    assertThat(heartbeat.getSequenceNum()).isEqualTo(3);
    assertThat(heartbeat.hasHealth()).isFalse();
    assertThat(heartbeat.getCapabilities()).isEqualTo(second.getCapabilities());
  }

  @Test
  void theServerCanAskForTheFullState() {
    state.set(AgentToServer.AGENT_DESCRIPTION_FIELD_NUMBER, DESCRIPTION);
    state.next();

    state.apply(ServerToAgent.newBuilder().setFlags(ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE).build());

    assertThat(state.hasNews()).isTrue();
    assertThat(state.next().getAgentDescription()).isEqualTo(DESCRIPTION);
  }

  @Test
  void aNewInstanceUidIsAdoptedAndTheRequestForOneEnds() {
    ByteString assigned = ByteString.copyFromUtf8("fedcba9876543210");
    state.setFlags(AgentToServerFlags.AgentToServerFlags_RequestInstanceUid_VALUE);
    assertThat(state.next().getFlags()).isEqualTo(AgentToServerFlags.AgentToServerFlags_RequestInstanceUid_VALUE);

    state.apply(ServerToAgent.newBuilder().setInstanceUid(UID)
        .setAgentIdentification(AgentIdentification.newBuilder().setNewInstanceUid(assigned)).build());
    AgentToServer next = state.next();

    assertThat(next.getInstanceUid()).isEqualTo(assigned);
    assertThat(next.getFlags()).isZero();
    // Replies to what it sent before still name the old uid, until the server answers the new one.
    assertThat(state.isFor(ServerToAgent.newBuilder().setInstanceUid(UID).build())).isTrue();
    state.apply(ServerToAgent.newBuilder().setInstanceUid(assigned).build());
    assertThat(state.isFor(ServerToAgent.newBuilder().setInstanceUid(UID).build())).isFalse();
    assertThat(state.isFor(ServerToAgent.newBuilder().setInstanceUid(assigned).build())).isTrue();
  }

  @Test
  void aNewInstanceUidThatIsNot16BytesIsIgnored() {
    state.apply(ServerToAgent.newBuilder()
        .setAgentIdentification(AgentIdentification.newBuilder().setNewInstanceUid(ByteString.copyFromUtf8("short"))).build());

    assertThat(state.instanceUid()).isEqualTo(UID);
  }

  @Test
  void theServerSetsTheHeartbeatIntervalAndZeroTurnsItOff() {
    assertThat(state.heartbeatInterval()).isEqualTo(Duration.ofSeconds(30));

    state.apply(heartbeatEvery(5));
    assertThat(state.heartbeatInterval()).isEqualTo(Duration.ofSeconds(5));
    state.apply(heartbeatEvery(0));
    assertThat(state.heartbeatInterval()).isZero();
  }

  @Test
  void withoutTheHeartbeatCapabilityThereAreNoHeartbeats() {
    ClientState quiet = new ClientState(UID, 0, Duration.ofSeconds(30));

    quiet.apply(heartbeatEvery(5));

    assertThat(quiet.heartbeatInterval()).isZero();
  }

  @Test
  void customMessagesGoOutOnceEachInTheOrderTheyCameAndTheGoodbyeSaysDisconnect() {
    state.next();
    state.sendCustomMessage(CustomMessage.newBuilder().setCapability("x").setType("first").build());
    state.sendCustomMessage(CustomMessage.newBuilder().setCapability("x").setType("second").build());

    assertThat(state.hasNews()).isTrue();
    assertThat(state.next().getCustomMessage().getType()).isEqualTo("first");
    assertThat(state.hasNews()).isTrue();
    assertThat(state.next().getCustomMessage().getType()).isEqualTo("second");
    assertThat(state.hasNews()).isFalse();
    assertThat(state.next().hasCustomMessage()).isFalse();
    assertThat(state.goodbye().hasAgentDisconnect()).isTrue();
  }

  @Test
  void aCustomMessageWhoseSendFailedGoesAgainFirstAndAnAnswerEndsIt() {
    state.next();
    state.sendCustomMessage(CustomMessage.newBuilder().setType("first").build());
    state.sendCustomMessage(CustomMessage.newBuilder().setType("second").build());
    assertThat(state.next().getCustomMessage().getType()).isEqualTo("first");

    state.unanswered();

    assertThat(state.next().getCustomMessage().getType()).isEqualTo("first");
    state.apply(ServerToAgent.newBuilder().setInstanceUid(UID).build());
    state.unanswered();
    assertThat(state.next().getCustomMessage().getType()).isEqualTo("second");
    assertThat(state.hasNews()).isFalse();
  }

  @Test
  void aCustomMessageWhoseSendsKeepFailingIsDroppedAfterItsTries() {
    state.next();
    state.sendCustomMessage(CustomMessage.newBuilder().setType("too large for the server").build());
    for (int i = 0; i < ClientState.CUSTOM_MESSAGE_TRIES; i++) {
      assertThat(state.next().hasCustomMessage()).isTrue();
      state.unanswered();
    }

    assertThat(state.hasNews()).isFalse();
  }

  @Test
  void customMessagesNotAnsweredAreTakenInOrderForAnotherClient() {
    state.next();
    state.sendCustomMessage(CustomMessage.newBuilder().setType("sent").build());
    state.sendCustomMessage(CustomMessage.newBuilder().setType("waiting").build());
    state.next();

    assertThat(state.takeCustomMessages()).extracting(CustomMessage::getType).containsExactly("sent", "waiting");
    assertThat(state.hasNews()).isFalse();
  }

  @Test
  void aNewUidFromTheServerIsUsedAtOnceWithTheWholeStatus() {
    state.set(AgentToServer.HEALTH_FIELD_NUMBER, io.opampfleet.proto.ComponentHealth.newBuilder().setHealthy(true).build());
    state.next();
    assertThat(state.next().hasHealth()).isFalse();
    ByteString given = ByteString.copyFrom(new byte[16]);

    state.apply(ServerToAgent.newBuilder().setInstanceUid(UID).setAgentIdentification(
        io.opampfleet.proto.AgentIdentification.newBuilder().setNewInstanceUid(given)).build());

    assertThat(state.hasNews()).isTrue();
    AgentToServer next = state.next();
    assertThat(next.getInstanceUid()).isEqualTo(given);
    assertThat(next.hasHealth()).isTrue();
  }

  @Test
  void customMessagesThatCannotGoOutWaitUpToALimit() {
    for (int i = 0; i < ClientState.MAX_CUSTOM_MESSAGES_WAITING; i++) {
      assertThat(state.sendCustomMessage(CustomMessage.newBuilder().setType("m" + i).build())).isTrue();
    }

    assertThat(state.sendCustomMessage(CustomMessage.newBuilder().setType("one too many").build())).isFalse();
  }

  private static ServerToAgent heartbeatEvery(long seconds) {
    return ServerToAgent.newBuilder().setConnectionSettings(ConnectionSettingsOffers.newBuilder()
        .setOpamp(OpAMPConnectionSettings.newBuilder().setDestinationEndpoint("ws://x/v1/opamp")
            .setHeartbeatIntervalSeconds(seconds))).build();
  }

  @Test
  void availableComponentsGoByHashUntilTheServerAsksForTheList() {
    io.opampfleet.proto.AvailableComponents components = io.opampfleet.proto.AvailableComponents.newBuilder()
        .setHash(ByteString.copyFromUtf8("h1"))
        .putComponents("receivers", io.opampfleet.proto.ComponentDetails.getDefaultInstance()).build();
    state.set(AgentToServer.AVAILABLE_COMPONENTS_FIELD_NUMBER, components);

    AgentToServer first = state.next();
    state.apply(ServerToAgent.newBuilder()
        .setFlags(ServerToAgentFlags.ServerToAgentFlags_ReportAvailableComponents_VALUE).build());
    assertThat(state.hasNews()).isTrue();
    AgentToServer asked = state.next();
    state.requestFullState();
    AgentToServer full = state.next();

    assertThat(first.getAvailableComponents().getHash()).isEqualTo(components.getHash());
    assertThat(first.getAvailableComponents().getComponentsMap()).isEmpty();
    assertThat(asked.getAvailableComponents()).isEqualTo(components);
    assertThat(full.getAvailableComponents().getComponentsMap()).isEmpty();
  }
}

package io.opampfleet.supervisor.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.proto.RemoteConfigStatuses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersistentStateTest {
  @TempDir
  Path storage;

  @Test
  void aFirstStartGetsAUuidV7ThatLaterStartsKeep() {
    PersistentState first = PersistentState.loadOrCreate(storage, null);
    PersistentState again = PersistentState.loadOrCreate(storage, null);

    assertThat(first.instanceId().version()).isEqualTo(7);
    assertThat(first.instanceId().variant()).isEqualTo(2);
    assertThat(again.instanceId()).isEqualTo(first.instanceId());
    assertThat(storage.resolve("persistent_state.yaml")).exists();
  }

  @Test
  void theLastRemoteConfigStatusIsKeptInTheGoSupervisorsFormat() throws Exception {
    RemoteConfigStatus failed = RemoteConfigStatus.newBuilder().setStatus(RemoteConfigStatuses.RemoteConfigStatuses_FAILED)
        .setLastRemoteConfigHash(ByteString.copyFrom(new byte[] {(byte) 0xAB, 0x01})).setErrorMessage("bad config").build();
    PersistentState.loadOrCreate(storage, null).withRemoteConfigStatus(failed).save(storage);

    PersistentState reloaded = PersistentState.loadOrCreate(storage, null);

    assertThat(reloaded.lastRemoteConfigStatus()).isEqualTo(failed);
    assertThat(Files.readString(storage.resolve("persistent_state.yaml")))
        .contains("instance_id:").contains("status: 3").contains("last_remote_config_hash: ab01");
  }

  @Test
  void aHashThatLooksLikeANumberIsReadBackAsItWasWritten() {
    RemoteConfigStatus applying = RemoteConfigStatus.newBuilder()
        .setStatus(RemoteConfigStatuses.RemoteConfigStatuses_APPLYING)
        .setLastRemoteConfigHash(ByteString.copyFrom(java.util.HexFormat.of().parseHex("756e7665726966696564"))).build();
    PersistentState.loadOrCreate(storage, null).withRemoteConfigStatus(applying).save(storage);

    assertThat(PersistentState.loadOrCreate(storage, null).lastRemoteConfigStatus()).isEqualTo(applying);
  }

  @Test
  void aConfiguredInstanceIdReplacesTheStoredOne() {
    PersistentState.loadOrCreate(storage, null);
    UUID configured = UUID.fromString("0192f3a4-5b6c-7d8e-9f00-112233445566");

    assertThat(PersistentState.loadOrCreate(storage, configured).instanceId()).isEqualTo(configured);
    assertThat(PersistentState.loadOrCreate(storage, null).instanceId()).isEqualTo(configured);
  }

  @Test
  void aDamagedFileIsSetAsideKeepingTheInstanceUidItStillNames() throws Exception {
    Files.writeString(storage.resolve("persistent_state.yaml"),
        "instance_id: 0192f3a4-5b6c-7d8e-9f00-112233445566\nlast_remote_config_status: {status: [\u0000\n");

    PersistentState recovered = PersistentState.loadOrCreate(storage, null);

    assertThat(recovered.instanceId()).isEqualTo(UUID.fromString("0192f3a4-5b6c-7d8e-9f00-112233445566"));
    assertThat(PersistentState.loadOrCreate(storage, null).instanceId()).isEqualTo(recovered.instanceId());
    try (Stream<Path> files = Files.list(storage)) {
      assertThat(files.map(file -> file.getFileName().toString()))
          .anyMatch(name -> name.startsWith("persistent_state.yaml.unreadable-"));
    }
  }

  @Test
  void anEmptyFileGivesANewInstanceUid() throws Exception {
    Files.writeString(storage.resolve("persistent_state.yaml"), "");

    assertThat(PersistentState.loadOrCreate(storage, null).instanceId().version()).isEqualTo(7);
    assertThat(Files.readString(storage.resolve("persistent_state.yaml"))).contains("instance_id:");
  }
}

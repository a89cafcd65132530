package io.opampfleet.supervisor.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.opampfleet.proto.AgentRemoteConfig;
import io.opampfleet.proto.OpAMPConnectionSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateFilesTest {
  @TempDir
  Path storage;

  @Test
  void aFileIsOwnerOnlyFromItsCreationAndWrittenWhole() throws Exception {
    Path file = storage.resolve("last_opamp_connection_settings.dat");
    OpAMPConnectionSettings settings = OpAMPConnectionSettings.newBuilder()
        .setDestinationEndpoint("wss://fleet.example:4320/v1/opamp").build();

    PrivateFiles.write(file, settings.toByteArray());

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(PrivateFiles.read(file, OpAMPConnectionSettings.parser(), "connection settings")).isEqualTo(settings);
    assertThat(storage.resolve("last_opamp_connection_settings.dat.partial")).doesNotExist();
  }

  @Test
  void anEmptyOrDamagedFileIsSetAsideAndTakenAsNone() throws Exception {
    Path empty = Files.write(storage.resolve("last_opamp_connection_settings.dat"), new byte[0]);
    Path damaged = Files.write(storage.resolve("last_recv_remote_config.dat"), new byte[] {(byte) 0xFF, 0x01, 0x02});

    assertThat(PrivateFiles.read(empty, OpAMPConnectionSettings.parser(), "connection settings")).isNull();
    assertThat(PrivateFiles.read(damaged, AgentRemoteConfig.parser(), "a remote config")).isNull();

    assertThat(empty).doesNotExist();
    assertThat(damaged).doesNotExist();
    try (Stream<Path> files = Files.list(storage)) {
      assertThat(files.map(file -> file.getFileName().toString()).sorted()).hasSize(2).allMatch(name ->
          name.startsWith("last_opamp_connection_settings.dat.unreadable-")
              || name.startsWith("last_recv_remote_config.dat.unreadable-"));
    }
  }
}

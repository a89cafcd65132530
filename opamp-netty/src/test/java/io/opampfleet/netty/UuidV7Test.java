package io.opampfleet.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class UuidV7Test {
  @Test
  void aUuidV7BeginsWithItsTimestampAndSaysItsVersionAndVariant() {
    UUID uuid = UuidV7.at(0x0192_f3a4_5b6cL);

    assertThat(uuid.toString()).startsWith("0192f3a4-5b6c-7");
    assertThat(uuid.version()).isEqualTo(7);
    assertThat(uuid.variant()).isEqualTo(2);
    assertThat(UuidV7.at(0x0192_f3a4_5b6cL)).isNotEqualTo(uuid);
  }
}

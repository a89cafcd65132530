package io.opampfleet.server.internal.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.EffectiveConfig;
import io.opampfleet.proto.KeyValue;
import org.junit.jupiter.api.Test;

class HeldSizeTest {
  @Test
  void aPartOfManySmallEntriesCountsItsObjectsAndOneLargeValueCountsAboutItsBytes() {
    AgentDescription.Builder attributes = AgentDescription.newBuilder();
    for (int i = 0; i < 256; i++) {
      attributes.addNonIdentifyingAttributes(KeyValue.newBuilder().setKey("k" + i)
          .setValue(AnyValue.newBuilder().setStringValue("v")));
    }
    AgentDescription small = attributes.build();
    EffectiveConfig config = EffectiveConfig.newBuilder().setConfigMap(AgentConfigMap.newBuilder()
        .putConfigMap("collector.yaml", AgentConfigFile.newBuilder().setBody(ByteString.copyFrom(new byte[100_000]))
            .build())).build();

    // 256 attributes, each a key-value, its key, a value and its string, and the description itself.
    assertThat(HeldSize.of(small)).isEqualTo(small.getSerializedSize() + (1 + 256 * 4) * HeldSize.BYTES_PER_OBJECT);
    assertThat(HeldSize.of(small)).isGreaterThan(10L * small.getSerializedSize());
    assertThat(HeldSize.of(config)).isBetween((long) config.getSerializedSize(), config.getSerializedSize() + 400L);
    assertThat(HeldSize.of(null)).isZero();
  }
}

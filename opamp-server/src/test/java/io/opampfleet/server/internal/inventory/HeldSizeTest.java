package io.opampfleet.server.internal.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
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

  @Test
  void fieldsThisServerDoesNotKnowCountTheObjectsTheyAreKeptIn() throws Exception {
    UnknownFieldSet.Builder unknown = UnknownFieldSet.newBuilder();
    for (int field = 1_000; field < 2_000; field++) {
      unknown.addField(field, UnknownFieldSet.Field.newBuilder().addVarint(1).build());
    }
    // As an agent speaking a newer protocol might send it, parsed here.
    AgentDescription parsed = AgentDescription.parseFrom(unknown.build().toByteArray());

    assertThat(parsed.getUnknownFields().asMap()).hasSize(1_000);
    assertThat(HeldSize.of(parsed))
        .isGreaterThanOrEqualTo(parsed.getSerializedSize() + 1_000L * 4 * HeldSize.BYTES_PER_OBJECT);
  }

  @Test
  void aGroupThisServerDoesNotKnowCountsEachFieldInside() throws Exception {
    UnknownFieldSet.Builder inside = UnknownFieldSet.newBuilder();
    for (int field = 1_000; field < 2_000; field++) {
      inside.addField(field, UnknownFieldSet.Field.newBuilder().addVarint(1).build());
    }
    UnknownFieldSet group = UnknownFieldSet.newBuilder()
        .addField(999, UnknownFieldSet.Field.newBuilder().addGroup(inside.build()).build()).build();
    AgentDescription parsed = AgentDescription.parseFrom(group.toByteArray());

    assertThat(parsed.getUnknownFields().getField(999).getGroupList().get(0).asMap()).hasSize(1_000);
    assertThat(HeldSize.of(parsed))
        .isGreaterThanOrEqualTo(parsed.getSerializedSize() + 1_000L * 4 * HeldSize.BYTES_PER_OBJECT);
  }

  @Test
  void aKnownFieldSentAsAnotherTypeIsKeptAsUnknownAndCountedSo() throws Exception {
    // Field 1 of a description is a list of key-values; sent as numbers, the parser keeps them aside.
    UnknownFieldSet.Builder numbers = UnknownFieldSet.newBuilder();
    numbers.addField(1, UnknownFieldSet.Field.newBuilder().addVarint(7).build());
    AgentDescription parsed = AgentDescription.parseFrom(numbers.build().toByteArray());

    assertThat(parsed.getIdentifyingAttributesCount()).isZero();
    assertThat(HeldSize.of(parsed)).isEqualTo(parsed.getSerializedSize() + (1 + 4) * HeldSize.BYTES_PER_OBJECT);
  }
}

package io.opampfleet.proto.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import com.squareup.wire.ProtoAdapter;
import com.squareup.wire.WireEnum;
import io.opampfleet.proto.Anyvalue;
import io.opampfleet.proto.Opamp;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves our schema's names and field numbers against a schema nobody here wrote: the Wire classes
 * of the OpenTelemetry Java contrib OpAMP client. Every message is filled completely, encoded by
 * one library, decoded by the other, compared field by field, and sent back.
 */
class SchemaInteropTest {
  /** Enough variants for every member of the largest oneof (AnyValue's seven) to be filled. */
  private static final int VARIANTS = 7;

  static Stream<Descriptor> messageTypes() {
    return Stream.of(Opamp.getDescriptor(), Anyvalue.getDescriptor())
        .flatMap(file -> file.getMessageTypes().stream());
  }

  static Stream<Arguments> messageTypesAndVariants() {
    return messageTypes().flatMap(type -> IntStream.range(0, VARIANTS).mapToObj(v -> Arguments.of(type, v)));
  }

  @ParameterizedTest(name = "{0} variant {1}")
  @MethodSource("messageTypesAndVariants")
  void whatWeEncodeThePeerDecodesFieldByField(Descriptor type, int variant) throws Exception {
    Message ours = new ProtobufFiller(variant).fill(ourBuilder(type));
    ProtoAdapter<Object> peerAdapter = WireSchema.adapter(WireSchema.messageClass(type));

    Object peer = peerAdapter.decode(ours.toByteArray());

    assertThat(SchemaComparison.differences(ours, peer)).isEmpty();
    assertThat(parseOurs(type, peerAdapter.encode(peer))).isEqualTo(ours);
  }

  @ParameterizedTest(name = "{0} variant {1}")
  @MethodSource("messageTypesAndVariants")
  void whatThePeerEncodesWeDecodeFieldByField(Descriptor type, int variant) throws Exception {
    Class<?> peerClass = WireSchema.messageClass(type);
    ProtoAdapter<Object> peerAdapter = WireSchema.adapter(peerClass);
    Object peer = new WireFiller(variant).fill(peerClass);

    Message ours = parseOurs(type, peerAdapter.encode(peer));

    assertThat(ours.getUnknownFields().asMap()).isEmpty();
    assertThat(SchemaComparison.differences(ours, peer)).isEmpty();
    assertThat(peerAdapter.decode(ours.toByteArray())).isEqualTo(peer);
  }

  @Test
  void everyMessageAndEnumOfThePeerIsInOurSchema() {
    List<String> ours = Stream.concat(
            messageTypes().map(Descriptor::getName),
            Opamp.getDescriptor().getEnumTypes().stream().map(EnumDescriptor::getName))
        .sorted()
        .toList();

    assertThat(WireSchema.typeNames()).hasSizeGreaterThan(40).isSubsetOf(ours);
  }

  @Test
  void everyEnumHasThePeersNamesAndNumbers() {
    for (EnumDescriptor type : Opamp.getDescriptor().getEnumTypes()) {
      Map<String, Integer> ours = type.getValues().stream()
          .collect(Collectors.toMap(EnumValueDescriptor::getName, EnumValueDescriptor::getNumber, (a, b) -> a, TreeMap::new));
      Map<String, Integer> peer = Arrays.stream(WireSchema.enumClass(type).getEnumConstants())
          .collect(Collectors.toMap(e -> ((Enum<?>) e).name(), e -> ((WireEnum) e).getValue(), (a, b) -> a, TreeMap::new));

      assertThat(ours).as(type.getName()).isEqualTo(peer);
    }
  }

  @Test
  void aFieldUnderAWrongNumberIsCaught() throws Exception {
    Descriptor broken = withFields("RemoteConfigStatus", field -> field.getName().equals("status")
        ? field.toBuilder().setNumber(9).build() : field);

    List<String> differences = decodedByThePeer(broken);

    assertThat(differences).anySatisfy(d -> assertThat(d).contains("RemoteConfigStatus.status: number 9 here, 2"));
    assertThat(differences).anySatisfy(d -> assertThat(d).contains("RemoteConfigStatus.status: value"));
    assertThat(differences).anySatisfy(d -> assertThat(d).contains("kept fields [9] as unknown"));
  }

  @Test
  void twoFieldsOfOneTypeWithSwappedNumbersAreCaught() throws Exception {
    Descriptor broken = withFields("ComponentHealth", field -> switch (field.getName()) {
      case "start_time_unix_nano" -> field.toBuilder().setNumber(5).build();
      case "status_time_unix_nano" -> field.toBuilder().setNumber(2).build();
      default -> field;
    });

    List<String> differences = decodedByThePeer(broken);

    assertThat(differences).anySatisfy(d -> assertThat(d).contains("start_time_unix_nano: value"));
    assertThat(differences).anySatisfy(d -> assertThat(d).contains("status_time_unix_nano: value"));
  }

  private static List<String> decodedByThePeer(Descriptor ourType) throws IOException {
    Message ours = new ProtobufFiller(0).fill(DynamicMessage.newBuilder(ourType));
    Object peer = WireSchema.adapter(WireSchema.messageClass(ourType)).decode(ours.toByteArray());
    return SchemaComparison.differences(ours, peer);
  }

  /** Our schema with one message's fields rewritten, as a build with a wrong number would have it. */
  private static Descriptor withFields(String message, UnaryOperator<FieldDescriptorProto> change)
      throws DescriptorValidationException {
    FileDescriptorProto.Builder file = Opamp.getDescriptor().toProto().toBuilder();
    for (DescriptorProto.Builder type : file.getMessageTypeBuilderList()) {
      if (type.getName().equals(message)) {
        List<FieldDescriptorProto> fields = type.getFieldList().stream().map(change).toList();
        type.clearField().addAllField(fields);
      }
    }
    FileDescriptor built = FileDescriptor.buildFrom(file.build(), new FileDescriptor[] {Anyvalue.getDescriptor()});
    return built.findMessageTypeByName(message);
  }

  private static Message.Builder ourBuilder(Descriptor type) throws ReflectiveOperationException {
    return (Message.Builder) ourClass(type).getMethod("newBuilder").invoke(null);
  }

  private static Message parseOurs(Descriptor type, byte[] bytes) throws ReflectiveOperationException {
    return (Message) ourClass(type).getMethod("parseFrom", byte[].class).invoke(null, (Object) bytes);
  }

  private static Class<?> ourClass(Descriptor type) throws ClassNotFoundException {
    return Class.forName(Opamp.class.getPackageName() + "." + type.getName());
  }
}

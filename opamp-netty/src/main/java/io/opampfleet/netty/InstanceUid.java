package io.opampfleet.netty;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

/** An agent's instance uid in text: the UUID form for 16 bytes, {@code 0x} and hex otherwise. */
public final class InstanceUid {
  /** The specification's length: an instance uid is 16 bytes, a UUID. */
  public static final int LENGTH = 16;
  /** The HTTP header in which a client names its instance uid, so that a balancer may route by it. */
  public static final String HEADER = "OpAMP-Instance-UID";

  private InstanceUid() {}

  /** Why the uid is not one the protocol allows, in a sentence that repeats none of its bytes. */
  public static Optional<String> problem(ByteString instanceUid) {
    return instanceUid.size() == LENGTH ? Optional.empty()
        : Optional.of("the instance_uid must be " + LENGTH + " bytes (a UUID), not " + instanceUid.size());
  }

  public static String text(ByteString instanceUid) {
    if (instanceUid.size() != 16) {
      return "0x" + HexFormat.of().formatHex(instanceUid.toByteArray());
    }
    ByteBuffer bytes = instanceUid.asReadOnlyByteBuffer();
    return new UUID(bytes.getLong(), bytes.getLong()).toString();
  }

  /** @throws IllegalArgumentException when the text is neither form */
  public static ByteString bytes(String text) {
    if (text.startsWith("0x")) {
      return ByteString.copyFrom(HexFormat.of().parseHex(text.substring(2)));
    }
    return bytes(UUID.fromString(text));
  }

  public static ByteString bytes(UUID uuid) {
    return ByteString.copyFrom(ByteBuffer.allocate(LENGTH)
        .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).array());
  }

  /** The uid as a UUID; empty when it is not 16 bytes. */
  public static Optional<UUID> uuid(ByteString instanceUid) {
    if (instanceUid.size() != LENGTH) {
      return Optional.empty();
    }
    ByteBuffer bytes = instanceUid.asReadOnlyByteBuffer();
    return Optional.of(new UUID(bytes.getLong(), bytes.getLong()));
  }
}

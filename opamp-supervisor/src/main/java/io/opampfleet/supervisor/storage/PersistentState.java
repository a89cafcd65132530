package io.opampfleet.supervisor.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.google.protobuf.ByteString;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.proto.RemoteConfigStatuses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The supervisor's {@code persistent_state.yaml}, in the Go supervisor's format so a user can move
 * between the two: the instance uid, and the last remote config status reported.
 */
public record PersistentState(UUID instanceId, RemoteConfigStatus lastRemoteConfigStatus) {
  public static final String FILE = "persistent_state.yaml";

  private static final ObjectMapper YAML = new ObjectMapper(
      new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  /**
   * The state in the storage directory, or a new one (with {@code configuredId}, or a new UUIDv7)
   * written there when there is none. A configured id replaces a stored one.
   */
  public static PersistentState loadOrCreate(Path storage, UUID configuredId) {
    Path file = storage.resolve(FILE);
    if (Files.exists(file)) {
      PersistentState stored = read(file);
      if (configuredId == null || configuredId.equals(stored.instanceId())) {
        return stored;
      }
      PersistentState replaced = new PersistentState(configuredId, stored.lastRemoteConfigStatus());
      replaced.save(storage);
      return replaced;
    }
    PersistentState created = new PersistentState(configuredId != null ? configuredId : UuidV7.generate(),
        RemoteConfigStatus.getDefaultInstance());
    created.save(storage);
    return created;
  }

  public PersistentState withInstanceId(UUID id) {
    return new PersistentState(id, lastRemoteConfigStatus);
  }

  public PersistentState withRemoteConfigStatus(RemoteConfigStatus status) {
    return new PersistentState(instanceId, status);
  }

  /** Writes the file whole, through a temporary file, so a crash never leaves half of it. */
  public void save(Path storage) {
    ObjectNode root = YAML.createObjectNode();
    root.put("instance_id", instanceId.toString());
    ObjectNode status = root.putObject("last_remote_config_status");
    status.put("status", lastRemoteConfigStatus.getStatusValue());
    status.put("last_remote_config_hash", HexFormat.of().formatHex(lastRemoteConfigStatus.getLastRemoteConfigHash().toByteArray()));
    status.put("error_message", lastRemoteConfigStatus.getErrorMessage());
    try {
      Files.createDirectories(storage);
      Path partial = storage.resolve(FILE + ".partial");
      Files.writeString(partial, YAML.writeValueAsString(root));
      Files.move(partial, storage.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(storage.resolve(FILE) + ": cannot be written: " + e.getMessage(), e);
    }
  }

  private static PersistentState read(Path file) {
    try {
      JsonNode root = YAML.readTree(Files.readString(file));
      UUID id = UUID.fromString(root.path("instance_id").asText());
      JsonNode status = root.path("last_remote_config_status");
      RemoteConfigStatus lastStatus = RemoteConfigStatus.newBuilder()
          .setStatus(RemoteConfigStatuses.forNumber(status.path("status").asInt(0)))
          .setLastRemoteConfigHash(ByteString.copyFrom(HexFormat.of().parseHex(status.path("last_remote_config_hash").asText(""))))
          .setErrorMessage(status.path("error_message").asText(""))
          .build();
      return new PersistentState(id, lastStatus);
    } catch (IOException | IllegalArgumentException | NullPointerException e) {
      throw new IllegalStateException(file + ": cannot be read (" + e.getMessage()
          + "); remove it to let the supervisor start with a new instance uid", e);
    }
  }
}

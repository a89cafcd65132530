package io.opampfleet.supervisor.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.opampfleet.strictyaml.YamlTrees;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.google.protobuf.ByteString;
import io.opampfleet.netty.UuidV7;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.proto.RemoteConfigStatuses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The supervisor's {@code persistent_state.yaml}, in the Go supervisor's format so a user can move
 * between the two: the instance uid, and the last remote config status reported.
 */
public record PersistentState(UUID instanceId, RemoteConfigStatus lastRemoteConfigStatus) {
  public static final String FILE = "persistent_state.yaml";

  private static final Pattern INSTANCE_ID = Pattern.compile(
      "instance_id:\\s*[\"']?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})");
  private static final YamlTrees YAML = new YamlTrees(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      // A hash in hex such as 1e5 would otherwise be written bare and read back as a number.
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

  /**
   * The state in the storage directory, or a new one (with {@code configuredId}, or a new UUIDv7)
   * written there when there is none. A configured id replaces a stored one.
   */
  public static PersistentState loadOrCreate(Path storage, UUID configuredId) {
    Path file = storage.resolve(FILE);
    PersistentState stored = Files.exists(file) ? readOrRecover(file) : null;
    if (stored != null) {
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

  /** Writes the file whole, forced to disk, so a crash never leaves half of it. */
  public void save(Path storage) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("instance_id", instanceId.toString());
    ObjectNode status = root.putObject("last_remote_config_status");
    status.put("status", lastRemoteConfigStatus.getStatusValue());
    status.put("last_remote_config_hash", HexFormat.of().formatHex(lastRemoteConfigStatus.getLastRemoteConfigHash().toByteArray()));
    status.put("error_message", lastRemoteConfigStatus.getErrorMessage());
    try {
      PrivateFiles.write(storage.resolve(FILE), YAML.write(root).getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(storage.resolve(FILE) + ": cannot be written: " + e.getMessage(), e);
    }
  }

  /**
   * The stored state; one that cannot be read is set aside, and the state starts again with its
   * instance uid when the file still names one (the server knows the agent by it), else with none.
   */
  private static PersistentState readOrRecover(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot be read: " + e.getMessage(), e);
    }
    try {
      return parse(text);
    } catch (IOException | IllegalArgumentException | NullPointerException e) {
      Matcher uid = INSTANCE_ID.matcher(text);
      PrivateFiles.setAside(file, "it cannot be read (" + e.getMessage() + "); "
          + (uid.find() ? "its instance uid " + uid.group(1) + " is kept" : "a new instance uid is made"));
      if (!uid.reset().find()) {
        return null;
      }
      PersistentState recovered = new PersistentState(UUID.fromString(uid.group(1)),
          RemoteConfigStatus.getDefaultInstance());
      recovered.save(file.getParent());
      return recovered;
    }
  }

  private static PersistentState parse(String text) throws IOException {
    JsonNode root = YAML.read(text);
    UUID id = UUID.fromString(root.path("instance_id").asText());
    JsonNode status = root.path("last_remote_config_status");
    RemoteConfigStatus lastStatus = RemoteConfigStatus.newBuilder()
        .setStatus(RemoteConfigStatuses.forNumber(status.path("status").asInt(0)))
        .setLastRemoteConfigHash(ByteString.copyFrom(HexFormat.of().parseHex(status.path("last_remote_config_hash").asText(""))))
        .setErrorMessage(status.path("error_message").asText(""))
        .build();
    return new PersistentState(id, lastStatus);
  }
}

package io.opampfleet.supervisor.storage;

import io.opampfleet.proto.AgentRemoteConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The remote configs the supervisor keeps, in the Go supervisor's files: the last one received
 * ({@code last_recv_remote_config.dat}) and the last one that ran healthy
 * ({@code last_working_remote_config.dat}), both protobuf AgentRemoteConfig, readable by the owner only.
 */
public final class RemoteConfigStore {
  static final String LAST_RECEIVED = "last_recv_remote_config.dat";
  static final String LAST_WORKING = "last_working_remote_config.dat";

  private final Path storage;

  public RemoteConfigStore(Path storage) {
    this.storage = storage;
  }

  public AgentRemoteConfig lastReceived() {
    return read(LAST_RECEIVED);
  }

  public AgentRemoteConfig lastWorking() {
    return read(LAST_WORKING);
  }

  public void saveReceived(AgentRemoteConfig config) {
    write(LAST_RECEIVED, config);
  }

  public void saveWorking(AgentRemoteConfig config) {
    write(LAST_WORKING, config);
  }

  private AgentRemoteConfig read(String name) {
    return PrivateFiles.read(storage.resolve(name), AgentRemoteConfig.parser(), "a remote config");
  }

  private void write(String name, AgentRemoteConfig config) {
    try {
      PrivateFiles.write(storage.resolve(name), config.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(storage.resolve(name) + ": cannot be written: " + e.getMessage(), e);
    }
  }
}

package io.opampfleet.supervisor.bootstrap;

import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.OpampServer;
import io.opampfleet.netty.server.ServerCallbacks;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.proto.ServerCapabilities;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.supervisor.commander.Commander;
import io.opampfleet.supervisor.compose.EffectiveConfigComposer;
import io.opampfleet.supervisor.config.SupervisorConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Learns what the collector is before it runs anything real, as the Go supervisor does: a local
 * OpAMP server for one run, the collector on the bootstrap config (its opamp extension pointed at
 * that server), the AgentDescription it reports with agent::description's overrides on top, then
 * both stopped.
 */
public final class AgentBootstrap {
  private final SupervisorConfig config;
  private final UUID instanceUid;
  private final Path storage;

  public AgentBootstrap(SupervisorConfig config, UUID instanceUid, Path storage) {
    this.config = config;
    this.instanceUid = instanceUid;
    this.storage = storage;
  }

  /**
   * @throws BootstrapException when the collector does not report within agent::bootstrap_timeout,
   *     or reports another instance uid
   */
  public AgentDescription describe() throws BootstrapException, IOException, InterruptedException {
    CompletableFuture<AgentToServer> described = new CompletableFuture<>();
    CompletableFuture<Void> connected = new CompletableFuture<>();
    try (OpampServer server = OpampServer.builder()
        .bind(new InetSocketAddress("127.0.0.1", config.agent().opampServerPort()))
        .callbacks(new ServerCallbacks() {
          @Override
          public void onConnected(AgentConnection connection) {
            connected.complete(null);
          }

          @Override
          public CompletionStage<ServerToAgent> onMessage(AgentConnection connection, AgentToServer message) {
            if (message.hasAgentDescription()) {
              described.complete(message);
            }
            return CompletableFuture.completedFuture(ServerToAgent.newBuilder()
                .setCapabilities(ServerCapabilities.ServerCapabilities_AcceptsStatus_VALUE).build());
          }
        })
        .start()) {
      Files.createDirectories(storage);
      Path effective = storage.resolve("effective.yaml");
      Files.writeString(effective, new EffectiveConfigComposer(config, instanceUid, server.address().getPort(),
          ProcessHandle.current().pid(), false).bootstrap());
      Commander collector = new Commander(config.agent().executable(), config.agent().args(), config.agent().env(),
          config.agent().passthroughLogs() ? null : storage.resolve("agent.log"));
      collector.start(effective, exitCode -> described.completeExceptionally(new BootstrapException(
          "the collector exited with code " + exitCode + " before describing itself; see " + storage.resolve("agent.log"))));
      try {
        AgentToServer message = described.get(config.agent().bootstrapTimeout().toMillis(), TimeUnit.MILLISECONDS);
        if (!uuid(message).equals(instanceUid)) {
          throw new BootstrapException("the collector reported instance uid " + uuid(message) + ", not the supervisor's "
              + instanceUid + "; the opamp extension must take its uid from the supervisor");
        }
        return withOverrides(message.getAgentDescription());
      } catch (TimeoutException e) {
        throw new BootstrapException(connected.isDone()
            ? "the collector connected but never sent an AgentDescription within " + config.agent().bootstrapTimeout()
            : "the collector's OpAMP client never connected to the supervisor within " + config.agent().bootstrapTimeout());
      } catch (ExecutionException e) {
        throw e.getCause() instanceof BootstrapException bootstrap ? bootstrap
            : new BootstrapException("the bootstrap failed: " + e.getCause());
      } finally {
        collector.stop(Commander.GRACE);
      }
    }
  }

  private static UUID uuid(AgentToServer message) {
    ByteBuffer bytes = message.getInstanceUid().asReadOnlyByteBuffer();
    return bytes.remaining() == 16 ? new UUID(bytes.getLong(), bytes.getLong()) : new UUID(0, 0);
  }

  /** The collector's own attributes, with agent::description's added or replacing them. */
  AgentDescription withOverrides(AgentDescription reported) {
    return AgentDescription.newBuilder()
        .addAllIdentifyingAttributes(merged(reported.getIdentifyingAttributesList(),
            config.agent().description().identifyingAttributes()).values())
        .addAllNonIdentifyingAttributes(merged(reported.getNonIdentifyingAttributesList(),
            config.agent().description().nonIdentifyingAttributes()).values())
        .build();
  }

  private static Map<String, KeyValue> merged(java.util.List<KeyValue> reported, Map<String, String> overrides) {
    Map<String, KeyValue> attributes = new LinkedHashMap<>();
    reported.forEach(kv -> attributes.put(kv.getKey(), kv));
    overrides.forEach((key, value) -> attributes.put(key, KeyValue.newBuilder().setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value)).build()));
    return attributes;
  }
}

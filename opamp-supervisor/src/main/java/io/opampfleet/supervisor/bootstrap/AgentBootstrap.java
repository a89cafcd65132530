package io.opampfleet.supervisor.bootstrap;

import io.opampfleet.netty.InstanceUid;
import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.OpampServer;
import io.opampfleet.netty.server.ServerCallbacks;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.proto.ServerCapabilities;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.proto.ServerToAgentFlags;
import io.opampfleet.supervisor.commander.Commander;
import io.opampfleet.supervisor.compose.EffectiveConfigComposer;
import io.opampfleet.supervisor.config.SupervisorConfig;
import io.opampfleet.supervisor.storage.PrivateFiles;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns what the collector is before it runs anything real, as the Go supervisor does: a local
 * OpAMP server for one run, the collector on the bootstrap config (its opamp extension pointed at
 * that server), the AgentDescription it reports with agent::description's overrides on top and,
 * with capabilities::reports_available_components, the components it is built with (asked for by
 * flag when only their hash came), then both stopped.
 */
public final class AgentBootstrap {
  private static final Logger log = LoggerFactory.getLogger(AgentBootstrap.class);

  /** What the bootstrap learned; {@code components} is null when not asked for or never sent. */
  public record Learned(AgentDescription description, AvailableComponents components) {}

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
  public Learned learn() throws BootstrapException, IOException, InterruptedException {
    Answers answers = new Answers(config.capabilities().reportsAvailableComponents());
    // Listening before the collector starts, and the collector started before the server that answers
    // it: the two start side by side, the collector's connection waiting in the socket's accept queue.
    ServerSocketChannel listening = ServerSocketChannel.open();
    Commander collector = startListening(listening, answers.described);
    long deadline = System.nanoTime() + config.agent().bootstrapTimeout().toNanos();
    try (OpampServer server = OpampServer.builder().listening(listening).eventLoops(1).callbacks(answers).start()) {
      try {
        AgentToServer message = answers.described.get(config.agent().bootstrapTimeout().toMillis(),
            TimeUnit.MILLISECONDS);
        if (!uuid(message).equals(instanceUid)) {
          throw new BootstrapException("the collector reported instance uid " + uuid(message) + ", not the"
              + " supervisor's " + instanceUid + "; the opamp extension must take its uid from the supervisor");
        }
        return new Learned(withOverrides(message.getAgentDescription()),
            answers.wantsComponents ? components(answers.components, deadline) : null);
      } finally {
        // Before its server closes: the collector's client would try again and log each refusal.
        collector.stop(Commander.GRACE);
      }
    } catch (TimeoutException e) {
      throw new BootstrapException(answers.connected.isDone()
          ? "the collector connected but never sent an AgentDescription within " + config.agent().bootstrapTimeout()
          : "the collector's OpAMP client never connected to the supervisor within " + config.agent().bootstrapTimeout());
    } catch (ExecutionException e) {
      throw e.getCause() instanceof BootstrapException bootstrap ? bootstrap
          : new BootstrapException("the bootstrap failed: " + e.getCause());
    } finally {
      // Stopped already, unless the server could not start.
      collector.stop(Commander.GRACE);
    }
  }

  /**
   * Binds {@code listening} to agent::opamp_server_port and starts the collector on the bootstrap config,
   * its opamp extension pointed there; an exit before it described itself fails {@code described}. On
   * any failure the socket is closed.
   */
  private Commander startListening(ServerSocketChannel listening, CompletableFuture<AgentToServer> described)
      throws IOException {
    try {
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", config.agent().opampServerPort());
      try {
        listening.bind(address);
      } catch (IOException e) {
        throw new IOException("cannot listen for the collector on " + address + " (agent::opamp_server_port): "
            + e.getMessage(), e);
      }
      Files.createDirectories(storage);
      Path effective = storage.resolve("effective.yaml");
      int port = ((InetSocketAddress) listening.getLocalAddress()).getPort();
      PrivateFiles.write(effective, new EffectiveConfigComposer(config, instanceUid, port,
          ProcessHandle.current().pid(), false).bootstrap().getBytes(StandardCharsets.UTF_8));
      Commander collector = new Commander(config.agent().executable(), config.agent().args(), config.agent().env(),
          config.agent().passthroughLogs() ? null : storage.resolve("agent.log"));
      collector.start(effective, exitCode -> described.completeExceptionally(new BootstrapException(
          "the collector exited with code " + exitCode + " before describing itself; see " + storage.resolve("agent.log"))));
      return collector;
    } catch (Throwable e) {
      try {
        listening.close();
      } catch (IOException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /** The one-shot server's side: what the bootstrap collector said, asking for its components when wanted. */
  private static final class Answers implements ServerCallbacks {
    final boolean wantsComponents;
    final CompletableFuture<AgentToServer> described = new CompletableFuture<>();
    final CompletableFuture<AvailableComponents> components = new CompletableFuture<>();
    final CompletableFuture<Void> connected = new CompletableFuture<>();

    Answers(boolean wantsComponents) {
      this.wantsComponents = wantsComponents;
    }

    @Override
    public void onConnected(AgentConnection connection) {
      connected.complete(null);
    }

    @Override
    public CompletionStage<ServerToAgent> onMessage(AgentConnection connection, AgentToServer message) {
      if (message.hasAgentDescription()) {
        described.complete(message);
      }
      ServerToAgent.Builder reply = ServerToAgent.newBuilder()
          .setCapabilities(ServerCapabilities.ServerCapabilities_AcceptsStatus_VALUE);
      if (wantsComponents && message.hasAvailableComponents()) {
        if (message.getAvailableComponents().getComponentsCount() > 0) {
          components.complete(message.getAvailableComponents());
        } else {
          reply.setFlags(ServerToAgentFlags.ServerToAgentFlags_ReportAvailableComponents_VALUE);
        }
      }
      return CompletableFuture.completedFuture(reply.build());
    }
  }

  private static AvailableComponents components(CompletableFuture<AvailableComponents> components, long deadline)
      throws InterruptedException, ExecutionException {
    try {
      return components.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      log.warn("the collector did not list its available components within agent::bootstrap_timeout;"
          + " they are not reported");
      return null;
    }
  }

  private static UUID uuid(AgentToServer message) {
    return InstanceUid.uuid(message.getInstanceUid()).orElse(new UUID(0, 0));
  }

  /** The collector's own attributes, with agent::description's added or replacing them. */
  public AgentDescription withOverrides(AgentDescription reported) {
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

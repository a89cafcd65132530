package io.opampfleet.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.OpampServer;
import io.opampfleet.netty.server.ServerCallbacks;
import io.opampfleet.peers.RealCollector;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.AgentRemoteConfig;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ConnectionSettingsOffers;
import io.opampfleet.proto.ConnectionSettingsStatuses;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.proto.OpAMPConnectionSettings;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.supervisor.config.SupervisorConfig;
import io.opampfleet.supervisor.config.SupervisorConfigLoader;
import io.opampfleet.supervisor.storage.PersistentState;
import io.opampfleet.supervisor.storage.RemoteConfigStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supervisor with the real collector, against our OpAMP server: it never leaves the collector down. */
class SupervisorIT {
  private static final Duration PATIENCE = Duration.ofSeconds(40);

  @TempDir
  Path dir;

  private final List<AgentToServer> received = new CopyOnWriteArrayList<>();
  private final AtomicReference<AgentConnection> connection = new AtomicReference<>();
  private OpampServer server;
  private Supervisor supervisor;

  /** Starts our server and a supervisor with extra capability and agent keys, and waits until it is healthy. */
  private void start(String capabilities, String agentKeys) throws Exception {
    server = OpampServer.builder()
        .bind(new InetSocketAddress("127.0.0.1", 0))
        .callbacks(new ServerCallbacks() {
          @Override
          public CompletionStage<ServerToAgent> onMessage(AgentConnection agent, AgentToServer message) {
            connection.set(agent);
            received.add(message);
            return CompletableFuture.completedFuture(ServerToAgent.newBuilder().setCapabilities(7).build());
          }
        })
        .start();
    Path file = Files.writeString(dir.resolve("supervisor.yaml"), """
        server: {endpoint: ws://127.0.0.1:%d/v1/opamp}
        capabilities: {accepts_remote_config: true%s}
        storage: {directory: %s}
        agent:
          executable: %s
          bootstrap_timeout: 10s
          config_apply_timeout: 10s
          collector_crash_log_snippet_kib: 4
        %s
        """.formatted(server.address().getPort(), capabilities, dir.resolve("storage"), RealCollector.binary().toString(),
        agentKeys.isEmpty() ? "" : "  " + agentKeys));
    startSupervisor(file);
  }

  private void startSupervisor(Path file) throws Exception {
    SupervisorConfig config = new SupervisorConfigLoader(Map.<String, String>of()::get).load(file).config();
    supervisor = new Supervisor(config);
    supervisor.start();
    await("connected and healthy").atMost(PATIENCE).until(() -> received.stream().anyMatch(m -> m.getHealth().getHealthy()));
  }

  @AfterEach
  void stop() throws Exception {
    if (supervisor != null) {
      supervisor.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theCollectorIsDescribedAndAPushedConfigRunsOnceItIsHealthy() throws Exception {
    start("", "");
    assertThat(received).anySatisfy(message -> assertThat(message.getAgentDescription().getIdentifyingAttributesList())
        .extracting(KeyValue::getKey).contains("service.name", "service.version"));
    int port = freePort();

    AgentRemoteConfig offer = push("otlp-" + port, otlpPipeline(port));

    await("applied").atMost(PATIENCE).until(() -> status(offer) == RemoteConfigStatuses.RemoteConfigStatuses_APPLIED);
    assertThat(listening(port)).as("the collector opened the OTLP port the config names").isTrue();
    assertThat(received).anySatisfy(message -> assertThat(message.getEffectiveConfig().getConfigMap()
        .getConfigMapOrDefault("", AgentConfigFile.getDefaultInstance()).getBody().toStringUtf8())
        .contains("127.0.0.1:" + port));
    assertThat(dir.resolve("storage/last_working_remote_config.dat")).exists();
  }

  @Test
  void aConfigTheCollectorCannotRunIsFailedAndTheLastGoodOneRunsAgain() throws Exception {
    start("", "");
    int port = freePort();
    AgentRemoteConfig good = push("good", otlpPipeline(port));
    await("good applied").atMost(PATIENCE).until(() -> status(good) == RemoteConfigStatuses.RemoteConfigStatuses_APPLIED);

    AgentRemoteConfig bad = push("bad", "exporters: {kafka: {}}\nservice: {pipelines: {traces: {receivers: [nop], exporters: [kafka]}}}\n");

    await("bad failed").atMost(PATIENCE).until(() -> status(bad) == RemoteConfigStatuses.RemoteConfigStatuses_FAILED);
    String reason = received.stream().filter(m -> m.getRemoteConfigStatus().getLastRemoteConfigHash().equals(bad.getConfigHash()))
        .reduce((first, second) -> second).orElseThrow().getRemoteConfigStatus().getErrorMessage();
    assertThat(reason).contains("reverted to the last good remote config").contains("kafka");
    await("the good config runs again").atMost(PATIENCE).until(() -> listening(port));
  }

  @Test
  void withHupReloadANewConfigRunsInTheSameCollectorProcess() throws Exception {
    start("", "use_hup_config_reload: true");
    int first = freePort();
    AgentRemoteConfig one = push("one", otlpPipeline(first));
    await("first applied").atMost(PATIENCE).until(() -> status(one) == RemoteConfigStatuses.RemoteConfigStatuses_APPLIED);
    long pid = supervisor.collectorPid();
    int second = freePort();

    AgentRemoteConfig two = push("two", otlpPipeline(second));

    await("second applied").atMost(PATIENCE).until(() -> status(two) == RemoteConfigStatuses.RemoteConfigStatuses_APPLIED);
    assertThat(listening(second)).isTrue();
    assertThat(listening(first)).isFalse();
    assertThat(supervisor.collectorPid()).as("reloaded, not restarted").isEqualTo(pid);

    AgentRemoteConfig bad = push("bad", "exporters: {kafka: {}}\nservice: {pipelines: {traces: {receivers: [nop], exporters: [kafka]}}}\n");

    await("bad failed").atMost(PATIENCE).until(() -> status(bad) == RemoteConfigStatuses.RemoteConfigStatuses_FAILED);
    await("the good config runs again").atMost(PATIENCE).until(() -> listening(second));
  }

  @Test
  void aCollectorThatDiesIsRestarted() throws Exception {
    start("", "");
    long first = supervisor.collectorPid();
    int before = received.size();

    ProcessHandle.of(first).orElseThrow().destroyForcibly();

    await("restarted").atMost(PATIENCE).until(() -> supervisor.collectorPid() != first && supervisor.collectorPid() > 0
        && ProcessHandle.of(supervisor.collectorPid()).map(ProcessHandle::isAlive).orElse(false));
    await("reported down, then healthy again").atMost(PATIENCE).until(() -> {
      List<AgentToServer> since = received.subList(before, received.size());
      int down = -1;
      for (int i = 0; i < since.size(); i++) {
        if (since.get(i).getHealth().getLastError().contains("exited")) {
          down = i;
        } else if (down >= 0 && since.get(i).getHealth().getHealthy()) {
          return true;
        }
      }
      return false;
    });
  }

  @Test
  void whileOfferedSettingsAreTriedACollectorThatDiesIsRestartedAndSettingsThatNeverConnectAreFailed() throws Exception {
    start(", accepts_opamp_connection_settings: true", "");
    long first = supervisor.collectorPid();
    long offeredAt = System.nanoTime();
    connection.get().send(ServerToAgent.newBuilder().setConnectionSettings(ConnectionSettingsOffers.newBuilder()
        .setHash(ByteString.copyFromUtf8("nowhere")).setOpamp(OpAMPConnectionSettings.newBuilder()
            .setDestinationEndpoint("ws://127.0.0.1:" + freePort() + "/v1/opamp"))).build());
    await("the trial began").atMost(PATIENCE).until(() -> received.stream().anyMatch(m -> m.hasAgentDisconnect()));

    ProcessHandle.of(first).orElseThrow().destroyForcibly();
    await("restarted during the trial").atMost(PATIENCE).until(() -> supervisor.collectorPid() != first
        && ProcessHandle.of(supervisor.collectorPid()).map(ProcessHandle::isAlive).orElse(false));
    assertThat(Duration.ofNanos(System.nanoTime() - offeredAt)).isLessThan(Duration.ofSeconds(25));

    await("back, and the offer failed").atMost(Duration.ofSeconds(60)).until(() -> received.stream().anyMatch(m ->
        m.getConnectionSettingsStatus().getStatus() == ConnectionSettingsStatuses.ConnectionSettingsStatuses_FAILED
            && m.getConnectionSettingsStatus().getErrorMessage().contains("did not connect")));
  }

  @Test
  void withValidateConfigARefusedConfigIsFailedWithoutTouchingTheRunningCollector() throws Exception {
    start("", "validate_config: true");
    long running = supervisor.collectorPid();

    AgentRemoteConfig bad = push("refused", "exporters: {kafka: {}}\nservice: {pipelines: {traces: {receivers: [nop], exporters: [kafka]}}}\n");

    await("refused").atMost(PATIENCE).until(() -> status(bad) == RemoteConfigStatuses.RemoteConfigStatuses_FAILED);
    assertThat(lastStatus(bad).getErrorMessage()).contains("the collector refuses the config").contains("kafka")
        .contains("the previous config keeps running");
    assertThat(supervisor.collectorPid()).isEqualTo(running);
  }

  @Test
  void startedAgainAfterAKillWhileApplyingItRunsTheLastGoodConfigAndFailsTheOneItWasApplying() throws Exception {
    start("", "");
    int goodPort = freePort();
    AgentRemoteConfig good = push("good", otlpPipeline(goodPort));
    await("good applied").atMost(PATIENCE).until(() -> status(good) == RemoteConfigStatuses.RemoteConfigStatuses_APPLIED);
    supervisor.close();
    supervisor = null;
    // What a SIGKILL right after a new config was taken leaves in storage: the config received, its status APPLYING.
    int unverifiedPort = freePort();
    AgentRemoteConfig unverified = offer("unverified", otlpPipeline(unverifiedPort));
    Path storage = dir.resolve("storage");
    new RemoteConfigStore(storage).saveReceived(unverified);
    PersistentState.loadOrCreate(storage, null).withRemoteConfigStatus(io.opampfleet.proto.RemoteConfigStatus.newBuilder()
        .setStatus(RemoteConfigStatuses.RemoteConfigStatuses_APPLYING).setLastRemoteConfigHash(unverified.getConfigHash())
        .build()).save(storage);
    received.clear();

    startSupervisor(dir.resolve("supervisor.yaml"));

    await("the unverified config failed").atMost(PATIENCE)
        .until(() -> status(unverified) == RemoteConfigStatuses.RemoteConfigStatuses_FAILED);
    assertThat(lastStatus(unverified).getErrorMessage()).contains("stopped while applying it")
        .contains("the last good remote config runs");
    await("the good config runs").atMost(PATIENCE).until(() -> listening(goodPort));
    assertThat(listening(unverifiedPort)).isFalse();
  }

  @Test
  void thePackagedSupervisorKilledWhileApplyingRunsTheLastGoodConfigAgainAndFailsTheOneItWasApplying()
      throws Exception {
    int goodPort = freePort();
    int unverifiedPort = freePort();
    // The real collector, slow to start on the config under test: a window in which the supervisor applies it.
    Path collector = Files.writeString(dir.resolve("slow-collector.sh"), """
        #!/bin/sh
        config=""
        previous=""
        for argument in "$@"; do
          if [ "$previous" = "--config" ]; then config="$argument"; fi
          previous="$argument"
        done
        if [ "$1" != validate ] && [ -n "$config" ] && grep -q "127.0.0.1:%d" "$config"; then sleep 20; fi
        exec %s "$@"
        """.formatted(unverifiedPort, RealCollector.binary()));
    Files.setPosixFilePermissions(collector, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    server = OpampServer.builder().bind(new InetSocketAddress("127.0.0.1", 0)).callbacks(new ServerCallbacks() {
      @Override
      public CompletionStage<ServerToAgent> onMessage(AgentConnection agent, AgentToServer message) {
        connection.set(agent);
        received.add(message);
        return CompletableFuture.completedFuture(ServerToAgent.newBuilder().setCapabilities(7).build());
      }
    }).start();
    Path config = Files.writeString(dir.resolve("supervisor.yaml"), """
        server: {endpoint: ws://127.0.0.1:%d/v1/opamp}
        capabilities: {accepts_remote_config: true}
        storage: {directory: %s}
        agent:
          executable: %s
          bootstrap_timeout: 10s
          config_apply_timeout: 60s
          orphan_detection_interval: 1s
        """.formatted(server.address().getPort(), dir.resolve("storage"), collector));
    Process first = packagedSupervisor(config);
    try {
      await("connected and healthy").atMost(PATIENCE).until(() -> received.stream().anyMatch(m -> m.getHealth().getHealthy()));
      AgentRemoteConfig good = push("good", otlpPipeline(goodPort));
      await("good applied").atMost(PATIENCE).until(() -> status(good) == RemoteConfigStatuses.RemoteConfigStatuses_APPLIED);
      AgentRemoteConfig unverified = push("unverified", otlpPipeline(unverifiedPort));
      await("applying").atMost(PATIENCE).until(() -> status(unverified) == RemoteConfigStatuses.RemoteConfigStatuses_APPLYING);

      first.destroyForcibly().waitFor();
    } finally {
      first.destroyForcibly();
    }
    received.clear();
    await("the killed supervisor's collector stops").atMost(PATIENCE).until(() -> !listening(goodPort));

    Process again = packagedSupervisor(config);
    try {
      AgentRemoteConfig unverified = offer("unverified", otlpPipeline(unverifiedPort));
      await("the unverified config failed").atMost(PATIENCE)
          .until(() -> status(unverified) == RemoteConfigStatuses.RemoteConfigStatuses_FAILED);
      assertThat(lastStatus(unverified).getErrorMessage()).contains("stopped while applying it");
      await("the good config runs").atMost(PATIENCE).until(() -> listening(goodPort));
      assertThat(listening(unverifiedPort)).isFalse();
    } finally {
      again.destroyForcibly().waitFor();
    }
  }

  /** The supervisor as it is shipped, in a process of its own that a test can kill. */
  private Process packagedSupervisor(Path config) throws IOException {
    return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
        Path.of("target", "supervisor.jar").toAbsolutePath().toString(), "--config", config.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("supervisor-" + System.nanoTime() + ".log").toFile())
        .start();
  }

  @Test
  void theRestartCommandRestartsTheCollector() throws Exception {
    start(", accepts_restart_command: true", "");
    long first = supervisor.collectorPid();

    connection.get().send(ServerToAgent.newBuilder()
        .setCommand(io.opampfleet.proto.ServerToAgentCommand.newBuilder()
            .setType(io.opampfleet.proto.CommandType.CommandType_Restart)).build());

    await("restarted").atMost(PATIENCE).until(() -> supervisor.collectorPid() != first && supervisor.collectorPid() > 0);
  }

  @Test
  void aConfigWithNoFilesStopsTheCollectorWhichIsThenReportedHealthyAsStoppedOnPurpose() throws Exception {
    start("", "");
    AgentRemoteConfig empty = AgentRemoteConfig.newBuilder().setConfigHash(ByteString.copyFromUtf8("empty")).build();
    connection.get().send(ServerToAgent.newBuilder().setCapabilities(7).setRemoteConfig(empty).build());

    await("applied").atMost(PATIENCE).until(() -> status(empty) == RemoteConfigStatuses.RemoteConfigStatuses_APPLIED);
    await("reported stopped on purpose").atMost(PATIENCE).until(() -> received.stream().anyMatch(message ->
        message.getHealth().getHealthy() && message.getHealth().getStatus().startsWith("stopped")));
    long pid = supervisor.collectorPid();
    await("the collector gone").atMost(PATIENCE)
        .until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), alive -> !alive);
  }

  @Test
  void aNewUidFromTheServerIsUsedKeptAndNamedByTheCollector() throws Exception {
    start("", "");
    long first = supervisor.collectorPid();
    java.util.UUID given = io.opampfleet.netty.UuidV7.generate();

    connection.get().send(ServerToAgent.newBuilder().setAgentIdentification(io.opampfleet.proto.AgentIdentification
        .newBuilder().setNewInstanceUid(io.opampfleet.netty.InstanceUid.bytes(given))).build());

    // The collector restarted on configs that name the new uid: its own description says so.
    await("described under the new uid").atMost(PATIENCE).until(() -> received.stream().anyMatch(message ->
        message.getInstanceUid().equals(io.opampfleet.netty.InstanceUid.bytes(given))
            && message.getAgentDescription().getIdentifyingAttributesList().stream().anyMatch(attribute ->
                attribute.getKey().equals("service.instance.id")
                    && attribute.getValue().getStringValue().equals(given.toString()))));
    assertThat(supervisor.collectorPid()).isNotEqualTo(first);
    assertThat(supervisor.instanceUid()).isEqualTo(given);
    assertThat(Files.readString(dir.resolve("storage/persistent_state.yaml"))).contains(given.toString());
    assertThat(Files.readString(dir.resolve("storage/effective.yaml"))).contains(given.toString());
  }

  private io.opampfleet.proto.RemoteConfigStatus lastStatus(AgentRemoteConfig offer) {
    return received.stream().filter(m -> m.getRemoteConfigStatus().getLastRemoteConfigHash().equals(offer.getConfigHash()))
        .reduce((first, second) -> second).orElseThrow().getRemoteConfigStatus();
  }

  private static AgentRemoteConfig offer(String name, String yaml) {
    return AgentRemoteConfig.newBuilder()
        .setConfig(AgentConfigMap.newBuilder().putConfigMap("", AgentConfigFile.newBuilder()
            .setBody(ByteString.copyFromUtf8(yaml)).setContentType("text/yaml").build()))
        .setConfigHash(ByteString.copyFromUtf8(name))
        .build();
  }

  private AgentRemoteConfig push(String name, String yaml) {
    AgentRemoteConfig offer = offer(name, yaml);
    connection.get().send(ServerToAgent.newBuilder().setCapabilities(7).setRemoteConfig(offer).build());
    return offer;
  }

  private RemoteConfigStatuses status(AgentRemoteConfig offer) {
    return received.stream().filter(m -> m.hasRemoteConfigStatus()
            && m.getRemoteConfigStatus().getLastRemoteConfigHash().equals(offer.getConfigHash()))
        .reduce((first, second) -> second)
        .map(m -> m.getRemoteConfigStatus().getStatus())
        .orElse(RemoteConfigStatuses.RemoteConfigStatuses_UNSET);
  }

  private static String otlpPipeline(int port) {
    return """
        receivers: {otlp: {protocols: {grpc: {endpoint: "127.0.0.1:%d"}}}}
        exporters: {debug: {}}
        service: {pipelines: {traces: {receivers: [otlp], exporters: [debug]}}}
        """.formatted(port);
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

}

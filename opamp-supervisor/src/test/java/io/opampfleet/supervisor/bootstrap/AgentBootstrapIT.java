package io.opampfleet.supervisor.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opampfleet.peers.RealCollector;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.supervisor.config.SupervisorConfig;
import io.opampfleet.supervisor.config.SupervisorConfigLoader;
import io.opampfleet.netty.UuidV7;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bootstrap with the real collector: it describes itself to the supervisor, then stops. */
class AgentBootstrapIT {
  @TempDir
  Path dir;

  @Test
  void theRealCollectorDescribesItselfWithTheOverridesOnTop() throws Exception {
    UUID uid = UuidV7.generate();
    SupervisorConfig config = config(RealCollector.binary(), "5s",
        "description: {identifying_attributes: {client.id: fleet-7}, non_identifying_attributes: {env: test}}");

    AgentDescription description = new AgentBootstrap(config, uid, dir.resolve("storage")).learn().description();

    Map<String, String> identifying = description.getIdentifyingAttributesList().stream()
        .collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().getStringValue()));
    Map<String, String> nonIdentifying = description.getNonIdentifyingAttributesList().stream()
        .collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().getStringValue()));
    assertThat(identifying).containsKey("service.name").containsEntry("client.id", "fleet-7")
        .containsEntry("service.version", "0.149.0");
    assertThat(nonIdentifying).containsEntry("env", "test").containsKey("host.name");
    assertThat(dir.resolve("storage/effective.yaml")).content().contains(uid.toString());
    assertThat(dir.resolve("storage/agent.log")).exists();
  }

  @Test
  void withReportsAvailableComponentsTheBootstrapLearnsTheFullListAfterAskingForIt() throws Exception {
    Path file = Files.writeString(dir.resolve("components.yaml"), """
        server: {endpoint: ws://127.0.0.1:4320/v1/opamp}
        capabilities: {reports_available_components: true}
        agent: {executable: %s, bootstrap_timeout: 10s}
        """.formatted(RealCollector.binary()));
    SupervisorConfig config = new SupervisorConfigLoader(Map.<String, String>of()::get).load(file).config();

    AgentBootstrap.Learned learned = new AgentBootstrap(config, UuidV7.generate(), dir.resolve("storage")).learn();

    assertThat(learned.components()).isNotNull();
    assertThat(learned.components().getHash().isEmpty()).isFalse();
    assertThat(learned.components().getComponentsMap())
        .containsKeys("receivers", "processors", "exporters", "extensions");
    assertThat(learned.components().getComponentsMap().get("extensions").getSubComponentMapMap()).containsKey("opamp");
  }

  @Test
  void aCollectorThatExitsAtOnceIsReportedWithWhereToLook() throws Exception {
    Path failing = script("exit 3");

    assertThatThrownBy(() -> new AgentBootstrap(config(failing, "5s", ""), UuidV7.generate(), dir.resolve("s")).learn())
        .isInstanceOf(BootstrapException.class)
        .hasMessageContaining("exited with code 3 before describing itself")
        .hasMessageContaining("agent.log");
  }

  @Test
  void aCollectorThatNeverConnectsTimesOut() throws Exception {
    Path silent = script("exec sleep 30");
    long started = System.nanoTime();

    assertThatThrownBy(() -> new AgentBootstrap(config(silent, "1s", ""), UuidV7.generate(), dir.resolve("s")).learn())
        .isInstanceOf(BootstrapException.class)
        .hasMessageContaining("never connected to the supervisor within PT1S");
    assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(15_000);
  }

  @Test
  void aPortTakenAlreadyIsSaidSoAndNoCollectorStarts() throws Exception {
    Path started = dir.resolve("started");
    Path collector = script("touch " + started + "; exec sleep 30");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      SupervisorConfig config = config(collector, "1s", "opamp_server_port: " + taken.getLocalPort());

      assertThatThrownBy(() -> new AgentBootstrap(config, UuidV7.generate(), dir.resolve("s")).learn())
          .isInstanceOf(IOException.class)
          .hasMessageContaining("cannot listen for the collector on /127.0.0.1:" + taken.getLocalPort())
          .hasMessageContaining("agent::opamp_server_port");
    }
    assertThat(started).doesNotExist();
  }

  private SupervisorConfig config(Path executable, String timeout, String agentKeys) throws Exception {
    Path file = Files.writeString(dir.resolve("supervisor-" + System.nanoTime() + ".yaml"), """
        server: {endpoint: ws://127.0.0.1:4320/v1/opamp}
        agent:
          executable: %s
          bootstrap_timeout: %s
        %s
        """.formatted(executable, timeout, agentKeys.isEmpty() ? "" : "  " + agentKeys));
    return new SupervisorConfigLoader(Map.<String, String>of()::get).load(file).config();
  }

  private Path script(String body) throws Exception {
    Path script = Files.writeString(dir.resolve("collector-" + System.nanoTime() + ".sh"), "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }
}

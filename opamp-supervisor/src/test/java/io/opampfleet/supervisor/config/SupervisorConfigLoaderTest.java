package io.opampfleet.supervisor.config;

import io.opampfleet.strictyaml.ConfigException;
import io.opampfleet.strictyaml.GoDuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opampfleet.proto.AgentCapabilities;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SupervisorConfigLoaderTest {
  @TempDir
  Path dir;

  private Path collector;
  private final Map<String, String> environment = new java.util.HashMap<>();
  private final SupervisorConfigLoader loader = new SupervisorConfigLoader(environment::get);

  @BeforeEach
  void fakeExecutable() throws IOException {
    collector = Files.writeString(dir.resolve("otelcol-contrib"), "#!/bin/sh\n");
  }

  @Test
  void theGoSupervisorsExampleLoadsKeyForKey() throws IOException {
    Path fallback = Files.writeString(dir.resolve("fallback.yaml"), "receivers: {}\n");
    SupervisorConfig config = load("""
        server:
          endpoint: ws://127.0.0.1:4320/v1/opamp
          auth: oauth2client
          headers:
            X-Token: abc
            X-Many: [a, b]
          tls:
            insecure_skip_verify: true
            min_version: "1.3"
        capabilities:
          accepts_remote_config: true
          accepts_restart_command: true
          accepts_opamp_connection_settings: true
          reports_available_components: true
        storage: {directory: /var/lib/otelcol/supervisor}
        agent:
          executable: %s
          config_files: [base.yaml, $OWN_TELEMETRY_CONFIG, $OPAMP_EXTENSION_CONFIG, $REMOTE_CONFIG, compliance.yaml]
          args: [--feature-gates, +service.profilesSupport]
          env: {GOMEMLIMIT: 512MiB}
          description: {identifying_attributes: {client.id: my-client-id}, non_identifying_attributes: {env: prod}}
          orphan_detection_interval: 1m30s
          bootstrap_timeout: 250ms
          use_hup_config_reload: true
          automatic_config_rollback: true
          validate_config: true
          collector_crash_log_snippet_kib: 16
          instance_id: 0192f3a4-5b6c-7d8e-9f00-112233445566
          startup_fallback_configs: [%s]
        telemetry:
          logs: {level: debug, encoding: console}
          metrics: {level: none}
          resource: {service.name: my-supervisor}
        healthcheck: {endpoint: localhost:13134}
        extensions:
          oauth2client: {client_id: x, client_secret: y, token_url: https://idp/token, scopes: [opamp]}
        """.formatted(collector, fallback)).config();

    assertThat(config.server().endpoint().toString()).isEqualTo("ws://127.0.0.1:4320/v1/opamp");
    assertThat(config.server().isWebSocket()).isTrue();
    assertThat(config.server().headers()).containsEntry("X-Token", List.of("abc")).containsEntry("X-Many", List.of("a", "b"));
    assertThat(config.server().tls().insecureSkipVerify()).isTrue();
    assertThat(config.server().tls().minVersion()).isEqualTo("1.3");
    assertThat(config.agent().configFiles()).containsExactly("base.yaml", "$OWN_TELEMETRY_CONFIG",
        "$OPAMP_EXTENSION_CONFIG", "$REMOTE_CONFIG", "compliance.yaml");
    assertThat(config.agent().args()).containsExactly("--feature-gates", "+service.profilesSupport");
    assertThat(config.agent().env()).containsEntry("GOMEMLIMIT", "512MiB");
    assertThat(config.agent().description().identifyingAttributes()).containsEntry("client.id", "my-client-id");
    assertThat(config.agent().orphanDetectionInterval()).isEqualTo(Duration.ofSeconds(90));
    assertThat(config.agent().bootstrapTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(config.agent().configApplyTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.agent().useHupConfigReload()).isTrue();
    assertThat(config.agent().collectorCrashLogSnippetKib()).isEqualTo(16);
    assertThat(config.agent().instanceId()).hasToString("0192f3a4-5b6c-7d8e-9f00-112233445566");
    assertThat(config.agent().startupFallbackConfigs()).containsExactly(fallback);
    assertThat(config.telemetry().logLevel()).isEqualTo("debug");
    assertThat(config.telemetry().metricsLevel()).isEqualTo("none");
    assertThat(config.healthcheck().enabled()).isTrue();
    assertThat(config.extensions().get("oauth2client").get("client_id").asText()).isEqualTo("x");
    assertThat(config.capabilities().bits()).isEqualTo(AgentCapabilities.AgentCapabilities_ReportsStatus_VALUE
        | AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig_VALUE | AgentCapabilities.AgentCapabilities_ReportsRemoteConfig_VALUE
        | AgentCapabilities.AgentCapabilities_AcceptsRestartCommand_VALUE
        | AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings_VALUE
        | AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig_VALUE | AgentCapabilities.AgentCapabilities_ReportsOwnMetrics_VALUE
        | AgentCapabilities.AgentCapabilities_ReportsHealth_VALUE | AgentCapabilities.AgentCapabilities_ReportsAvailableComponents_VALUE
        | AgentCapabilities.AgentCapabilities_ReportsHeartbeat_VALUE);
  }

  @Test
  void whatIsLeftOutTakesTheGoSupervisorsDefaults() {
    SupervisorConfig config = minimal("").config();

    assertThat(config.storage().directory()).isEqualTo(Path.of("/var/lib/otelcol/supervisor"));
    assertThat(config.agent().orphanDetectionInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.agent().bootstrapTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(config.agent().opampServerPort()).isZero();
    assertThat(config.agent().opampServerSocket()).isNull();
    assertThat(config.telemetry().logOutputPaths()).containsExactly("stdout");
    assertThat(config.healthcheck().enabled()).isFalse();
    assertThat(config.capabilities().bits()).isEqualTo(AgentCapabilities.AgentCapabilities_ReportsStatus_VALUE
        | AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig_VALUE | AgentCapabilities.AgentCapabilities_ReportsOwnMetrics_VALUE
        | AgentCapabilities.AgentCapabilities_ReportsHealth_VALUE | AgentCapabilities.AgentCapabilities_ReportsHeartbeat_VALUE);
  }

  @Test
  void everyCapabilityTurnedOffLeavesReportsStatus() {
    SupervisorConfig config = minimal("""
        capabilities:
          reports_effective_config: false
          reports_own_metrics: false
          reports_health: false
          reports_heartbeat: false
        """).config();

    assertThat(config.capabilities().bits()).isEqualTo(AgentCapabilities.AgentCapabilities_ReportsStatus_VALUE);
  }

  @Test
  void environmentVariablesExpandAndDoubleDollarEscapes() {
    environment.put("OPAMP_HOST", "opamp.internal");
    environment.put("TOKEN", "s3cret");

    SupervisorConfig config = load("""
        server:
          endpoint: wss://${OPAMP_HOST}:4320/v1/opamp
          headers: {Authorization: "Bearer ${env:TOKEN}", X-Price: "$$5", X-Unset: "[${NOT_SET}]"}
        agent:
          executable: %s
          config_files: [$REMOTE_CONFIG]
        """.formatted(collector)).config();

    assertThat(config.server().endpoint().getHost()).isEqualTo("opamp.internal");
    assertThat(config.server().headers()).containsEntry("Authorization", List.of("Bearer s3cret"))
        .containsEntry("X-Price", List.of("$5")).containsEntry("X-Unset", List.of("[]"));
    assertThat(config.agent().configFiles()).containsExactly("$REMOTE_CONFIG");
  }

  @Test
  void keysTheGoSupervisorDroppedAreAcceptedWithAWarning() {
    SupervisorConfigLoader.Loaded loaded = minimal("""
        capabilities: {reports_remote_config: true}
        """, "  health_check_port: 13133\n");

    assertThat(loaded.warnings()).hasSize(2);
    assertThat(loaded.warnings()).anySatisfy(w -> assertThat(w).contains("agent::health_check_port: is no longer used"));
    assertThat(loaded.warnings()).anySatisfy(w -> assertThat(w).contains("capabilities::reports_remote_config: is deprecated"));
  }

  @Test
  void eachMistakeNamesItsKeyPathAndTheReason() throws IOException {
    assertError("server: {}\nagent: {executable: %s}\n".formatted(collector), "server::endpoint: must be specified");
    assertError("server: {endpoint: ftp://x/v1/opamp}\nagent: {executable: %s}\n".formatted(collector),
        "server::endpoint: invalid scheme \"ftp\"; use ws, wss, http or https");
    assertError("server: {endpoint: ws://x/v1/opamp}\nagent: {}\n", "agent::executable: must be specified");
    assertError("server: {endpoint: ws://x/v1/opamp}\nagent: {executable: /nowhere/otelcol}\n",
        "agent::executable: could not stat agent::executable path /nowhere/otelcol");
    assertError(minimalText("", "  exectuable: typo\n"), "agent::exectuable: unknown key; the keys here are ");
    assertError(minimalText("serverr: {}\n", ""), "serverr: unknown key");
    assertError(minimalText("", "  bootstrap_timeout: soon\n"),
        "agent::bootstrap_timeout: 'soon' is not a duration; write it like 5s, 1m30s or 250ms");
    assertError(minimalText("", "  config_apply_timeout: 0s\n"), "agent::config_apply_timeout: must be greater than zero");
    assertError(minimalText("", "  opamp_server_port: 70000\n"), "agent::opamp_server_port: must be between 0 and 65535");
    assertError(minimalText("", "  opamp_server_port: 4321\n  opamp_server_socket: {transport: unix, endpoint: /run/s.sock}\n"),
        "agent::opamp_server_socket: set either opamp_server_port or opamp_server_socket, not both");
    assertError(minimalText("", "  config_files: [$OTHER]\n"), "agent::config_files: '$OTHER' is not one of");
    assertError(minimalText("", "  instance_id: not-a-uuid\n"), "agent::instance_id: 'not-a-uuid' is not a UUID");
    assertError(minimalText("", "  collector_crash_log_snippet_kib: 2048\n"),
        "agent::collector_crash_log_snippet_kib: must be between 0 and 1024");
    assertError(minimalText("", "  passthrough_logs: maybe\n"), "agent::passthrough_logs: 'maybe' is not true or false");
    assertError(minimalText("", "  package: {archive: zip}\n"), "agent::package::archive: 'zip' is not supported");
    assertError(minimalText("", "  startup_fallback_configs: [/nowhere.yaml]\n"),
        "agent::startup_fallback_configs: /nowhere.yaml is missing or empty");
    assertError(minimalText("telemetry: {logs: {level: loud}}\n", ""), "telemetry::logs::level: 'loud' is not a log level");
    assertError("server: {endpoint: ws://x/v1/opamp, auth: bearer}\nagent: {executable: %s}\n".formatted(collector),
        "server::auth: references \"bearer\", which is not configured under extensions");
    assertError("server: {endpoint: ws://x/v1/opamp, tls: {cert_file: a.crt}}\nagent: {executable: %s}\n".formatted(collector),
        "server::tls::key_file: a client certificate and its key go together");
    assertError(minimalText("", "  args: --single\n"), "agent::args: must be a list");
  }

  @Test
  void brokenYamlSaysWhere() throws IOException {
    Path file = Files.writeString(dir.resolve("broken.yaml"), "server:\n  endpoint: [unclosed\n");

    assertThatThrownBy(() -> loader.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(file + ": not valid YAML at line ");
  }

  @Test
  void aMissingFileIsNamed() {
    Path missing = dir.resolve("nothing.yaml");

    assertThatThrownBy(() -> loader.load(missing)).hasMessage(missing + ": no such file");
  }

  @Test
  void goDurationsReadLikeGo() {
    assertThat(GoDuration.parse("1h2m3s")).isEqualTo(Duration.ofSeconds(3723));
    assertThat(GoDuration.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
    assertThat(GoDuration.parse("300ms")).isEqualTo(Duration.ofMillis(300));
    assertThat(GoDuration.parse("2us")).isEqualTo(Duration.ofNanos(2000));
    assertThat(GoDuration.parse("-5s")).isEqualTo(Duration.ofSeconds(-5));
    assertThat(GoDuration.parse("0")).isZero();
    assertThat(GoDuration.parse("1.5ns")).isEqualTo(Duration.ofNanos(1));
    assertThat(GoDuration.parse("2562047h")).isEqualTo(Duration.ofHours(2562047));
    assertThatThrownBy(() -> GoDuration.parse("2562048h")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("longer than a duration can be");
    for (String wrong : List.of("5", "5 s", "s", "1d", "")) {
      assertThatThrownBy(() -> GoDuration.parse(wrong)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void keysWhoseBehaviourIsMissingAreAcceptedWithAWarningThatSaysSo() {
    SupervisorConfigLoader.Loaded loaded = load("""
        server: {endpoint: ws://127.0.0.1:4320/v1/opamp, auth: bearer}
        extensions: {bearer: {token: t}}
        agent:
          executable: %s
          opamp_server_socket: {transport: unix, endpoint: /run/supervisor.sock}
        healthcheck: {endpoint: 127.0.0.1:13133, tls: {cert_file: a, key_file: b}}
        """.formatted(collector));

    assertThat(loaded.warnings()).hasSize(3);
    assertThat(loaded.warnings()).anySatisfy(w -> assertThat(w).contains("server::auth: is accepted but not applied"));
    assertThat(loaded.warnings()).anySatisfy(w -> assertThat(w).contains("agent::opamp_server_socket: is accepted but not applied"));
    assertThat(loaded.warnings()).anySatisfy(w -> assertThat(w).contains("healthcheck::tls: is accepted but not applied"));
  }

  private void assertError(String yaml, String expected) throws IOException {
    Path file = Files.writeString(Files.createTempFile(dir, "supervisor", ".yaml"), yaml);
    assertThatThrownBy(() -> loader.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(file + ": " + expected);
  }

  private SupervisorConfigLoader.Loaded minimal(String sections) {
    return minimal(sections, "");
  }

  private SupervisorConfigLoader.Loaded minimal(String sections, String agentKeys) {
    return loadLoaded(minimalText(sections, agentKeys));
  }

  private String minimalText(String sections, String agentKeys) {
    return "server:\n  endpoint: ws://127.0.0.1:4320/v1/opamp\nagent:\n  executable: " + collector + "\n" + agentKeys + sections;
  }

  private SupervisorConfigLoader.Loaded load(String yaml) {
    return loadLoaded(yaml);
  }

  private SupervisorConfigLoader.Loaded loadLoaded(String yaml) {
    try {
      return loader.load(Files.writeString(Files.createTempFile(dir, "supervisor", ".yaml"), yaml));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

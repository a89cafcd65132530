package io.opampfleet.supervisor.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.protobuf.ByteString;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentRemoteConfig;
import io.opampfleet.supervisor.config.SupervisorConfig;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.KeyValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EffectiveConfigComposerTest {
  private static final UUID UID = UUID.fromString("0192f3a4-5b6c-7d8e-9f00-112233445566");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final AgentDescription DESCRIPTION = AgentDescription.newBuilder()
      .addIdentifyingAttributes(kv("service.name", "io.opentelemetry.collector"))
      .addNonIdentifyingAttributes(kv("host.name", "node-1")).build();

  @TempDir
  Path dir;

  private Path executable;

  @BeforeEach
  void fakeExecutable() throws IOException {
    executable = Files.writeString(dir.resolve("otelcol"), "");
  }

  @Test
  void withoutARemoteConfigTheCollectorRunsTheNopPipelineWithTheOpampExtension() throws Exception {
    JsonNode config = compose(composer(""), null);

    assertThat(config.at("/service/pipelines/traces/receivers").toString()).isEqualTo("[\"nop\"]");
    assertThat(config.at("/extensions/opamp/instance_uid").asText()).isEqualTo(UID.toString());
    assertThat(config.at("/extensions/opamp/server/ws/endpoint").asText()).isEqualTo("ws://127.0.0.1:40123/v1/opamp");
    assertThat(config.at("/extensions/opamp/ppid").asLong()).isEqualTo(4242);
    assertThat(config.at("/extensions/opamp/ppid_poll_interval").asText()).isEqualTo("5s");
    assertThat(config.at("/service/extensions").toString()).isEqualTo("[\"opamp\"]");
    assertThat(names(config.at("/service/telemetry/resource")))
        .containsExactly("host.name", "service.name", "service.instance.id");
    assertThat(config.at("/service/telemetry/resource/service.instance.id").asText()).isEqualTo(UID.toString());
    assertThat(config.at("/service/telemetry/logs/encoding").asText()).isEqualTo("json");
  }

  @Test
  void aCollectorWithNothingToRunGetsTheNopPipelineEvenWithoutRemoteConfig() throws Exception {
    EffectiveConfigComposer composer = new EffectiveConfigComposer(
        ComposerFixture.config(dir, executable, "", "accepts_remote_config: false"), UID, 40123, 4242, false);

    assertThat(compose(composer, null).at("/service/pipelines/traces/exporters").toString()).isEqualTo("[\"nop\"]");
  }

  @Test
  void remoteEntriesMergeByNameWithTheUnnamedOneLastAndLaterKeysWin() throws Exception {
    AgentRemoteConfig remote = remote(Map.of(
        "", "exporters: {debug: {verbosity: detailed}}\nservice: {pipelines: {traces: {receivers: [otlp], exporters: [debug]}}}\n",
        "b-extra", "exporters: {debug: {verbosity: basic}}\nreceivers: {otlp: {protocols: {grpc: {}}}}\n",
        "a-base", "exporters: {debug: {verbosity: normal, sampling_initial: 5}}\n"));

    JsonNode config = compose(composer(""), remote);

    assertThat(config.at("/exporters/debug/verbosity").asText()).isEqualTo("detailed");
    assertThat(config.at("/exporters/debug/sampling_initial").asInt()).isEqualTo(5);
    assertThat(config.at("/service/pipelines/traces/receivers").toString()).isEqualTo("[\"otlp\"]");
    assertThat(config.has("receivers") && config.at("/receivers/nop").isMissingNode()).isTrue();
  }

  @Test
  void extensionListsAddUpAndRemoteResourceAttributesReplaceEarlierOnes() throws Exception {
    Path local = Files.writeString(dir.resolve("base.yaml"), """
        extensions: {health_check: {endpoint: 127.0.0.1:13133}}
        service:
          extensions: [health_check]
          telemetry: {resource: {attributes: [{name: deployment.environment, value: staging}, {name: team, value: obs}]}}
        """);
    SupervisorConfig config = ComposerFixture.config(dir, executable, "config_files: [" + local + "]\n", "");
    AgentRemoteConfig remote = remote(Map.of("", "service:\n  extensions: [opamp, zpages]\n"
        + "  telemetry: {resource: {attributes: [{name: team, value: platform}]}}\nextensions: {zpages: {}}\n"));

    JsonNode merged = compose(new EffectiveConfigComposer(config, UID, 40123, 4242, false), remote);

    assertThat(merged.at("/service/extensions").toString()).isEqualTo("[\"health_check\",\"opamp\",\"zpages\"]");
    JsonNode resource = merged.at("/service/telemetry/resource");
    assertThat(names(resource)).containsExactly("host.name", "service.name", "service.instance.id", "team");
    assertThat(resource.get("team").asText()).isEqualTo("platform");
  }

  @Test
  void theOrderOfConfigFilesDecidesWhoWins() throws Exception {
    Path local = Files.writeString(dir.resolve("compliance.yaml"), "processors: {batch: {timeout: 1s}}\n");
    EffectiveConfigComposer composer = new EffectiveConfigComposer(ComposerFixture.config(dir, executable,
        "config_files: [$REMOTE_CONFIG, " + local + "]\n", ""), UID, 40123, 4242, false);

    JsonNode merged = compose(composer, remote(Map.of("", "processors: {batch: {timeout: 9s}}\n")));

    assertThat(merged.at("/processors/batch/timeout").asText()).isEqualTo("1s");
    assertThat(composer.configFiles()).containsExactly("$OWN_TELEMETRY_CONFIG", "$REMOTE_CONFIG", local.toString(),
        "$OPAMP_EXTENSION_CONFIG");
  }

  @Test
  void inlineResourceAttributesWinOverListedOnesOfTheSameName() throws Exception {
    Path local = Files.writeString(dir.resolve("resource.yaml"),
        "service: {telemetry: {resource: {attributes: [{name: host.name, value: listed}, {name: zone, value: a}]}}}\n");
    EffectiveConfigComposer composer = new EffectiveConfigComposer(
        ComposerFixture.config(dir, executable, "config_files: [" + local + "]\n", ""), UID, 40123, 4242, false);

    JsonNode resource = compose(composer, null).at("/service/telemetry/resource");

    assertThat(resource.get("host.name").asText()).isEqualTo("node-1");
    assertThat(resource.get("zone").asText()).isEqualTo("a");
    assertThat(resource.has("attributes")).isFalse();
  }

  @Test
  void localFilesKeepTheirReferencesForTheCollectorToResolve() throws Exception {
    Path local = Files.writeString(dir.resolve("env.yaml"), "exporters: {otlp: {endpoint: \"${env:BACKEND}\"}}\n");
    EffectiveConfigComposer composer = new EffectiveConfigComposer(
        ComposerFixture.config(dir, executable, "config_files: [" + local + "]\n", ""), UID, 40123, 4242, false);

    assertThat(compose(composer, null).at("/exporters/otlp/endpoint").asText()).isEqualTo("${env:BACKEND}");
  }

  @Test
  void aLocalFileThatCannotBeReadIsSkippedWithAWarning() throws Exception {
    EffectiveConfigComposer composer = new EffectiveConfigComposer(
        ComposerFixture.config(dir, executable, "config_files: [/nowhere/base.yaml]\n", ""), UID, 40123, 4242, false);

    Composed composed = composer.compose(null, DESCRIPTION);

    assertThat(composed.warnings()).singleElement().satisfies(w -> assertThat(w).startsWith("/nowhere/base.yaml: skipped"));
  }

  @Test
  void remoteYamlThatDoesNotParseIsRefusedWithItsPosition() throws Exception {
    AgentRemoteConfig broken = remote(Map.of("", "receivers:\n  otlp: [unclosed\n"));

    assertThatThrownBy(() -> composer("").compose(broken, DESCRIPTION))
        .isInstanceOf(ComposeException.class)
        .hasMessageStartingWith("the remote config is not valid YAML at line");
  }

  @Test
  void anEmptyRemoteConfigMeansStopTheCollector() throws Exception {
    Composed composed = composer("").compose(AgentRemoteConfig.newBuilder().setConfig(AgentConfigMap.getDefaultInstance())
        .setConfigHash(ByteString.copyFromUtf8("empty")).build(), DESCRIPTION);

    assertThat(composed.remoteConfigEmpty()).isTrue();
  }

  @Test
  void theBootstrapConfigOnlyDescribesTheCollector() throws Exception {
    JsonNode bootstrap = YAML.readTree(composer("").bootstrap());

    assertThat(bootstrap.at("/extensions/opamp/server/ws/endpoint").asText()).endsWith(":40123/v1/opamp");
    assertThat(bootstrap.at("/service/telemetry/metrics/level").asText()).isEqualTo("none");
    assertThat(bootstrap.at("/receivers/nop").isObject()).isTrue();
    assertThat(YAML.readTree(new EffectiveConfigComposer(
        ComposerFixture.config(dir, executable, "", ""), UID, 40123, 4242, true).bootstrap()).has("receivers")).isFalse();
  }

  @Test
  void ownTelemetryOffersGoToTheCollectorOnlyForTheSignalsItsCapabilitiesReport() throws Exception {
    SupervisorConfig config = ComposerFixture.config(dir, executable, "",
        "accepts_remote_config: true, reports_own_logs: true, reports_own_metrics: false");
    EffectiveConfigComposer composer = new EffectiveConfigComposer(config, UID, 40123, 4242, false);
    composer.ownTelemetry(io.opampfleet.proto.ConnectionSettingsOffers.newBuilder()
        .setOwnLogs(io.opampfleet.proto.TelemetryConnectionSettings.newBuilder()
            .setDestinationEndpoint("http://otlp:4318/v1/logs")
            .setHeaders(io.opampfleet.proto.Headers.newBuilder().addHeaders(
                io.opampfleet.proto.Header.newBuilder().setKey("X-Tenant").setValue("t1"))))
        .setOwnMetrics(io.opampfleet.proto.TelemetryConnectionSettings.newBuilder()
            .setDestinationEndpoint("http://otlp:4318/v1/metrics"))
        .build(), config.server());

    JsonNode telemetry = compose(composer, null).at("/service/telemetry");

    JsonNode otlp = telemetry.at("/logs/processors/0/batch/exporter/otlp");
    assertThat(otlp.get("endpoint").asText()).isEqualTo("http://otlp:4318/v1/logs");
    assertThat(otlp.get("protocol").asText()).isEqualTo("http/protobuf");
    assertThat(otlp.at("/headers/0/name").asText()).isEqualTo("X-Tenant");
    assertThat(otlp.at("/headers/0/value").asText()).isEqualTo("t1");
    // The supervisor's own logging keys still apply next to the offered processor.
    assertThat(telemetry.at("/logs/encoding").asText()).isEqualTo("json");
    assertThat(telemetry.path("metrics").path("readers").isMissingNode()).as(telemetry.toString()).isTrue();
  }

  @Test
  void ownMetricsSentToTheOpampServerItselfCarryTheSupervisorsTlsFilesAndNoneGoToOtherEndpoints() throws Exception {
    SupervisorConfig config = ComposerFixture.config(dir, executable, "",
        "reports_own_metrics: true, reports_own_logs: true", "{endpoint: wss://fleet.example:4320/v1/opamp, tls:"
        + " {ca_file: /pki/ca.crt, cert_file: /pki/agent.crt, key_file: /pki/agent.key}}");
    EffectiveConfigComposer composer = new EffectiveConfigComposer(config, UID, 40123, 4242, true);
    composer.ownTelemetry(io.opampfleet.proto.ConnectionSettingsOffers.newBuilder()
        .setOwnMetrics(io.opampfleet.proto.TelemetryConnectionSettings.newBuilder()
            .setDestinationEndpoint("https://fleet.example:4320/v1/metrics"))
        .setOwnLogs(io.opampfleet.proto.TelemetryConnectionSettings.newBuilder()
            .setDestinationEndpoint("https://fleet.example:4318/v1/logs"))
        .build(), config.server());

    JsonNode telemetry = compose(composer, null).at("/service/telemetry");

    JsonNode metrics = telemetry.at("/metrics/readers/0/periodic/exporter/otlp");
    assertThat(metrics.get("certificate").asText()).isEqualTo("/pki/ca.crt");
    assertThat(metrics.get("client_certificate").asText()).isEqualTo("/pki/agent.crt");
    assertThat(metrics.get("client_key").asText()).isEqualTo("/pki/agent.key");
    JsonNode logs = telemetry.at("/logs/processors/0/batch/exporter/otlp");
    assertThat(logs.has("certificate")).isFalse();
    assertThat(logs.has("client_key")).isFalse();
  }

  @Test
  void aSupervisorConnectedByAddressKnowsTheServersReceiverUnderItsName() throws Exception {
    SupervisorConfig config = ComposerFixture.config(dir, executable, "", "reports_own_metrics: true",
        "{endpoint: wss://127.0.0.1:4320/v1/opamp, tls: {ca_file: /pki/ca.crt, cert_file: /pki/agent.crt,"
        + " key_file: /pki/agent.key}}");
    EffectiveConfigComposer composer = new EffectiveConfigComposer(config, UID, 40123, 4242, true);
    composer.ownTelemetry(io.opampfleet.proto.ConnectionSettingsOffers.newBuilder()
        .setOwnMetrics(io.opampfleet.proto.TelemetryConnectionSettings.newBuilder()
            .setDestinationEndpoint("https://localhost:4320/v1/metrics"))
        .build(), config.server());

    JsonNode metrics = compose(composer, null).at("/service/telemetry/metrics/readers/0/periodic/exporter/otlp");
    assertThat(metrics.get("client_certificate").asText()).isEqualTo("/pki/agent.crt");
  }

  private EffectiveConfigComposer composer(String agentKeys) throws IOException {
    return new EffectiveConfigComposer(ComposerFixture.config(dir, executable, agentKeys, ""), UID, 40123, 4242, false);
  }

  private static JsonNode compose(EffectiveConfigComposer composer, AgentRemoteConfig remote) throws Exception {
    return YAML.readTree(composer.compose(remote, DESCRIPTION).yaml());
  }

  static AgentRemoteConfig remote(Map<String, String> files) {
    AgentConfigMap.Builder map = AgentConfigMap.newBuilder();
    files.forEach((name, yaml) -> map.putConfigMap(name, AgentConfigFile.newBuilder()
        .setBody(ByteString.copyFromUtf8(yaml)).setContentType("text/yaml").build()));
    return AgentRemoteConfig.newBuilder().setConfig(map).setConfigHash(ByteString.copyFromUtf8("h")).build();
  }

  private static List<String> names(JsonNode mapping) {
    List<String> names = new ArrayList<>();
    mapping.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }
}

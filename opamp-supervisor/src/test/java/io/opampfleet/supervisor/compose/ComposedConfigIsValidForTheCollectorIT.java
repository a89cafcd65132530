package io.opampfleet.supervisor.compose;

import static org.assertj.core.api.Assertions.assertThat;

import io.opampfleet.peers.RealCollector;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.KeyValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the composer writes, checked by the real collector's own validate command. */
class ComposedConfigIsValidForTheCollectorIT {
  private static final AgentDescription DESCRIPTION = AgentDescription.newBuilder()
      .addIdentifyingAttributes(KeyValue.newBuilder().setKey("service.name")
          .setValue(AnyValue.newBuilder().setStringValue("otelcol-fleet"))).build();

  @TempDir
  Path dir;

  @Test
  void theBootstrapAndTheNopConfigsAreValid() throws Exception {
    EffectiveConfigComposer composer = composer();

    assertThat(validate(composer.bootstrap())).as("bootstrap").isEqualTo("");
    assertThat(validate(composer.compose(null, DESCRIPTION).yaml())).as("no remote config yet").isEqualTo("");
  }

  @Test
  void aRemotePipelineMergedWithTheSupervisorsPartsIsValid() throws Exception {
    String remote = """
        receivers: {otlp: {protocols: {grpc: {endpoint: 127.0.0.1:0}}}}
        processors: {batch: {}}
        exporters: {debug: {}}
        service:
          pipelines: {traces: {receivers: [otlp], processors: [batch], exporters: [debug]}}
          telemetry: {resource: {attributes: [{name: team, value: platform}]}}
        """;

    String yaml = composer().compose(EffectiveConfigComposerTest.remote(Map.of("", remote)), DESCRIPTION).yaml();

    assertThat(validate(yaml)).isEqualTo("");
  }

  @Test
  void theCollectorTellsAnInvalidRemoteConfigApart() throws Exception {
    String remote = "exporters: {kafka: {}}\nservice: {pipelines: {traces: {receivers: [nop], exporters: [kafka]}}}\n";

    String yaml = composer().compose(EffectiveConfigComposerTest.remote(Map.of("", remote)), DESCRIPTION).yaml();

    assertThat(validate(yaml)).contains("kafka");
  }

  private EffectiveConfigComposer composer() throws Exception {
    Path executable = RealCollector.binary();
    return new EffectiveConfigComposer(ComposerFixture.config(dir, executable, "", ""),
        UUID.fromString("0192f3a4-5b6c-7d8e-9f00-112233445566"), 40123, ProcessHandle.current().pid(), false);
  }

  /** The collector's complaint, or "" when it accepts the config. */
  private String validate(String yaml) throws Exception {
    Path config = Files.writeString(Files.createTempFile(dir, "effective", ".yaml"), yaml);
    Process process = new ProcessBuilder(RealCollector.binary().toString(), "validate", "--config", config.toString())
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return process.exitValue() == 0 ? "" : "exit " + process.exitValue() + ": " + output + "\n---\n" + yaml;
  }

}

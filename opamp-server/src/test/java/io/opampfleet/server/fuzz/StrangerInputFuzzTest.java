package io.opampfleet.server.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.opampfleet.netty.server.HttpEndpoint;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.server.internal.api.SecretRedactor;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.inventory.ReportLimits;
import io.opampfleet.server.internal.inventory.Reports;
import io.opampfleet.server.internal.selector.LabelSelector;
import io.opampfleet.server.internal.selector.SelectorException;
import io.opampfleet.server.internal.telemetry.FleetTelemetry;
import io.opampfleet.server.internal.telemetry.OtlpMetricsEndpoint;
import io.opampfleet.server.internal.telemetry.OwnTelemetryCredentials;
import io.opampfleet.server.internal.telemetry.TelemetrySenders;
import io.opampfleet.server.settings.ServerSettings;
import io.opampfleet.server.settings.ServerSettingsLoader;
import io.opampfleet.strictyaml.ConfigException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What users and strangers hand the server: agents' messages and own-metrics requests, label
 * selectors (query strings), server.yaml, and any text the API redacts. Each either works or is refused with the module's own exception; nothing
 * else may escape. In the test command each replays its committed inputs; {@code scripts/fuzz} fuzzes one.
 */
class StrangerInputFuzzTest {
  private static final SecretRedactor REDACTOR = SecretRedactor.defaults();
  private static final String SENDER = "00000000-0000-7000-8000-000000000002";
  private static final OwnTelemetryCredentials CREDENTIALS = new OwnTelemetryCredentials(new byte[32]);
  private static final FleetTelemetry TELEMETRY = new FleetTelemetry(new ServerSettings.OwnTelemetry(true,
      java.util.Optional.empty(), java.time.Duration.ofMinutes(1), 10, 1024 * 1024, Integer.MAX_VALUE));
  private static final OtlpMetricsEndpoint OWN_METRICS = ownMetricsEndpoint();

  private static OtlpMetricsEndpoint ownMetricsEndpoint() {
    Inventory inventory = new Inventory();
    inventory.add(SENDER);
    return new OtlpMetricsEndpoint(TELEMETRY, new TelemetrySenders(inventory, CREDENTIALS), 1024 * 1024,
        java.util.Optional.empty(), System::currentTimeMillis, java.util.Optional::empty);
  }

  @FuzzTest(maxDuration = "30s")
  void labelSelectors(FuzzedDataProvider data) {
    String text = data.consumeRemainingAsString();
    try {
      LabelSelector selector = LabelSelector.parse(text);
      // What parses is shown back as it is understood, and that parses to the same.
      assertThat(LabelSelector.parse(selector.toString()).toString()).isEqualTo(selector.toString());
      selector.matches(Map.of("env", "prod", "tier", "web"));
    } catch (SelectorException refused) {
      assertThat(refused.getMessage()).isNotBlank();
    }
  }

  /**
   * An agent's message as the server takes it once the transport let it through: within the report
   * limits (or refused by them) it is applied to the agent without an exception, and the agent's
   * snapshot (what the store and the API read) can be made.
   */
  @FuzzTest(maxDuration = "30s")
  void agentToServer(byte[] bytes) {
    AgentToServer message;
    try {
      message = AgentToServer.parseFrom(bytes);
    } catch (InvalidProtocolBufferException refused) {
      return;
    }
    if (ReportLimits.defaults().problem(message).isPresent()) {
      return;
    }
    Inventory inventory = new Inventory();
    Agent agent = inventory.add("00000000-0000-7000-8000-000000000001");
    new Reports(inventory).apply(agent, message, "127.0.0.1:1", 1_000);
    assertThat(agent.snapshot().uid()).isEqualTo(agent.uid());
  }

  /**
   * An agent's own-metrics request, protobuf or JSON: answered 200 or 400 with a short reason, and what
   * is kept for the agent (its window, its summary, its bytes for the shared store) can be made.
   */
  @FuzzTest(maxDuration = "30s")
  void ownMetricsRequest(FuzzedDataProvider data) {
    boolean json = data.consumeBoolean();
    byte[] body = data.consumeRemainingAsBytes();
    HttpEndpoint.Answer answer = OWN_METRICS.handle(new HttpEndpoint.Request("POST", OtlpMetricsEndpoint.PATH,
        new DefaultHttpHeaders().set("Content-Type", json ? "application/json" : "application/x-protobuf")
            .set("Authorization", "Bearer " + CREDENTIALS.credential(SENDER)), body, List.of(),
        new InetSocketAddress("127.0.0.1", 1))).toCompletableFuture().join();
    assertThat(answer.status()).isIn(200, 400, 429);
    assertThat(answer.body().length).isLessThan(400);
    TELEMETRY.view(SENDER, System.currentTimeMillis()).ifPresent(view -> assertThat(view.samples()).isNotNull());
  }

  @FuzzTest(maxDuration = "30s")
  void serverYaml(FuzzedDataProvider data) throws IOException {
    String yaml = data.consumeRemainingAsString();
    Path file = Files.createTempFile("server-", ".yaml");
    try {
      Files.writeString(file, yaml);
      new ServerSettingsLoader(name -> "value").load(file);
    } catch (ConfigException refused) {
      assertThat(refused.getMessage()).isNotBlank();
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @FuzzTest(maxDuration = "30s")
  void redactedText(FuzzedDataProvider data) {
    String secret = "s3cr3t" + data.consumeInt(0, 9999);
    String text = data.consumeString(2000) + "\npassword: " + secret + "\n" + data.consumeRemainingAsString();

    String redacted = REDACTOR.redact(text);

    // A plain secret on a line of its own never shows, and an edit that changes nothing keeps it.
    assertThat(redacted).doesNotContain("password: " + secret + "\n");
    if (!text.contains(SecretRedactor.MARK)) {
      assertThat(REDACTOR.restore(redacted, text)).isEqualTo(text);
    }
  }
}

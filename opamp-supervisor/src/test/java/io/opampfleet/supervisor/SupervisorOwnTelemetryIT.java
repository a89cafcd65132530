package io.opampfleet.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;
import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.OpampServer;
import io.opampfleet.netty.server.ServerCallbacks;
import io.opampfleet.peers.RealCollector;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ConnectionSettingsOffers;
import io.opampfleet.proto.Header;
import io.opampfleet.proto.Headers;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.proto.TelemetryConnectionSettings;
import io.opampfleet.supervisor.config.SupervisorConfigLoader;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Own telemetry the server offers: the collector's own logs go over OTLP/HTTP to the offered
 * endpoint with the offered header, and the offer is kept for the next start.
 */
class SupervisorOwnTelemetryIT {
  @TempDir
  Path dir;

  @Test
  void theCollectorsOwnLogsGoWhereTheServerSays() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    HttpServer otlp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    otlp.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      received.add(exchange.getRequestURI().getPath() + " " + exchange.getRequestHeaders().getFirst("X-Tenant"));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    otlp.start();
    ConnectionSettingsOffers offers = ConnectionSettingsOffers.newBuilder().setHash(ByteString.copyFromUtf8("own-1"))
        .setOwnLogs(TelemetryConnectionSettings.newBuilder()
            .setDestinationEndpoint("http://127.0.0.1:" + otlp.getAddress().getPort() + "/v1/logs")
            .setHeaders(Headers.newBuilder().addHeaders(Header.newBuilder().setKey("X-Tenant").setValue("fleet-7"))))
        .build();
    AtomicBoolean offered = new AtomicBoolean();
    try (OpampServer server = offering(offers, offered, message -> { });
        Supervisor supervisor = supervisor(server, "")) {
      supervisor.start();

      await().atMost(Duration.ofSeconds(60)).until(() -> received.contains("/v1/logs fleet-7"));
      assertThat(offered).isTrue();
      assertThat(dir.resolve("storage/effective.yaml")).content().contains(offers.getOwnLogs().getDestinationEndpoint());
      assertThat(ConnectionSettingsOffers.parseFrom(Files.readAllBytes(
          dir.resolve("storage/last_recv_own_telemetry_config.dat"))).getOwnLogs()).isEqualTo(offers.getOwnLogs());
    } finally {
      otlp.stop(0);
    }
  }

  @Test
  void settingsTheCollectorCannotRunOnAreLeftAndNotKept() throws Exception {
    ConnectionSettingsOffers offers = ConnectionSettingsOffers.newBuilder().setHash(ByteString.copyFromUtf8("own-bad"))
        .setOwnLogs(TelemetryConnectionSettings.newBuilder().setDestinationEndpoint("::not an endpoint::"))
        .build();
    AtomicBoolean offered = new AtomicBoolean();
    List<Boolean> healthAfter = new CopyOnWriteArrayList<>();
    try (OpampServer server = offering(offers, offered, message -> {
          if (offered.get() && message.hasHealth()) {
            healthAfter.add(message.getHealth().getHealthy());
          }
        });
        Supervisor supervisor = supervisor(server, ", config_apply_timeout: 5s")) {
      supervisor.start();

      await().atMost(Duration.ofSeconds(60)).until(() -> offered.get() && healthAfter.contains(false));
      await().atMost(Duration.ofSeconds(60)).until(() -> healthAfter.get(healthAfter.size() - 1));
      assertThat(dir.resolve("storage/effective.yaml")).content().doesNotContain("not an endpoint");
      assertThat(dir.resolve("storage/last_recv_own_telemetry_config.dat")).doesNotExist();
    }
  }

  /** A server that offers these settings once the agent reports healthy; {@code heard} hears every message first. */
  private static OpampServer offering(ConnectionSettingsOffers offers, AtomicBoolean offered,
      Consumer<AgentToServer> heard) {
    return OpampServer.builder()
        .bind(new InetSocketAddress("127.0.0.1", 0))
        .callbacks(new ServerCallbacks() {
          @Override
          public CompletionStage<ServerToAgent> onMessage(AgentConnection connection, AgentToServer message) {
            heard.accept(message);
            ServerToAgent.Builder reply = ServerToAgent.newBuilder().setCapabilities(1);
            if (message.getHealth().getHealthy() && offered.compareAndSet(false, true)) {
              reply.setConnectionSettings(offers);
            }
            return CompletableFuture.completedFuture(reply.build());
          }
        })
        .start();
  }

  /** A supervisor of the real collector reporting its own logs to {@code server}; {@code agentKeys} added to agent::. */
  private Supervisor supervisor(OpampServer server, String agentKeys) throws Exception {
    Path config = Files.writeString(dir.resolve("supervisor.yaml"), """
        server: {endpoint: ws://127.0.0.1:%d/v1/opamp}
        capabilities: {reports_own_logs: true}
        storage: {directory: %s}
        agent: {executable: %s, bootstrap_timeout: 10s%s}
        """.formatted(server.address().getPort(), dir.resolve("storage"), RealCollector.binary(), agentKeys));
    return new Supervisor(new SupervisorConfigLoader(Map.<String, String>of()::get).load(config).config());
  }
}

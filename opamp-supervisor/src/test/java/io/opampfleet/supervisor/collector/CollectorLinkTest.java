package io.opampfleet.supervisor.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opampfleet.netty.InstanceUid;
import io.opampfleet.netty.UuidV7;
import io.opampfleet.netty.client.ClientCallbacks;
import io.opampfleet.netty.client.OpampClient;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AvailableComponents;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.CustomCapabilities;
import io.opampfleet.proto.CustomMessage;
import io.opampfleet.proto.ServerToAgent;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Custom capabilities and messages between the server and the collector's OpAMP extension, through the
 * supervisor's local server: an OpAMP client of ours plays the extension (the collector's own components
 * send none unless one that uses them is configured).
 */
class CollectorLinkTest {
  private final List<CustomCapabilities> collectorCapabilities = new CopyOnWriteArrayList<>();
  private final List<CustomMessage> collectorMessages = new CopyOnWriteArrayList<>();
  private final List<ServerToAgent> toTheCollector = new CopyOnWriteArrayList<>();

  @Test
  void customCapabilitiesAndMessagesPassBothWays() throws Exception {
    CustomCapabilities serverSide = CustomCapabilities.newBuilder().addCapabilities("io.example.ping").build();
    try (CollectorLink link = CollectorLink.start(0, health -> { }, reports(), null)) {
      // Known before the collector connects: it is told when it does.
      link.forward(ServerToAgent.newBuilder().setCustomCapabilities(serverSide).build());
      OpampClient extension = OpampClient.builder()
          .endpoint(URI.create("ws://127.0.0.1:" + link.port() + "/v1/opamp"))
          .instanceUid(InstanceUid.bytes(UuidV7.generate()))
          .callbacks(new ClientCallbacks() {
            @Override
            public void onMessage(ServerToAgent message) {
              toTheCollector.add(message);
            }
          }).build();
      extension.setCustomCapabilities(CustomCapabilities.newBuilder().addCapabilities("io.example.pong").build());
      extension.start();
      try {
        await().atMost(Duration.ofSeconds(10)).until(() -> toTheCollector.stream()
            .anyMatch(message -> message.getCustomCapabilities().equals(serverSide)));
        await().atMost(Duration.ofSeconds(10)).until(() -> !collectorCapabilities.isEmpty());
        assertThat(collectorCapabilities.get(0).getCapabilitiesList()).containsExactly("io.example.pong");

        extension.sendCustomMessage(CustomMessage.newBuilder().setCapability("io.example.pong").setType("pong").build());
        link.forward(ServerToAgent.newBuilder().setCustomMessage(CustomMessage.newBuilder()
            .setCapability("io.example.ping").setType("ping")).build());

        await().atMost(Duration.ofSeconds(10)).until(() -> !collectorMessages.isEmpty());
        assertThat(collectorMessages.get(0).getType()).isEqualTo("pong");
        await().atMost(Duration.ofSeconds(10)).until(() -> toTheCollector.stream()
            .anyMatch(message -> message.getCustomMessage().getType().equals("ping")));
      } finally {
        extension.stop().get(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aRecoverableErrorThatPassesDoesNotFailTheConfigButAPermanentOneDoesAtOnce() throws Exception {
    try (CollectorLink link = CollectorLink.start(0, health -> { }, reports(), null)) {
      OpampClient extension = extension(link);
      extension.setHealth(ComponentHealth.newBuilder().setHealthy(false).setStatus("StatusRecoverableError")
          .setLastError("exporter: connection refused").build());
      extension.start();
      try {
        await().atMost(Duration.ofSeconds(10)).until(() -> link.health() != null);
        CompletableFuture<Boolean> judged = CompletableFuture.supplyAsync(() -> awaitHealth(link, Duration.ofSeconds(20)));
        Thread.sleep(500);
        assertThat(judged).as("a recoverable error waits").isNotDone();
        extension.setHealth(ComponentHealth.newBuilder().setHealthy(true).setStatus("StatusOK").build());
        assertThat(judged.get(10, TimeUnit.SECONDS)).isTrue();

        extension.setHealth(ComponentHealth.newBuilder().setHealthy(false).setStatus("StatusPermanentError")
            .setLastError("receiver: cannot bind").build());
        await().atMost(Duration.ofSeconds(10)).until(() -> !link.health().getHealthy());
        long started = System.nanoTime();
        assertThat(awaitHealth(link, Duration.ofSeconds(20))).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
      } finally {
        extension.stop().get(10, TimeUnit.SECONDS);
      }
    }
  }

  private static boolean awaitHealth(CollectorLink link, Duration timeout) {
    try {
      return link.awaitHealth(timeout, () -> true);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static OpampClient extension(CollectorLink link) {
    return OpampClient.builder()
        .endpoint(URI.create("ws://127.0.0.1:" + link.port() + "/v1/opamp"))
        .instanceUid(InstanceUid.bytes(UuidV7.generate()))
        .callbacks(new ClientCallbacks() { }).build();
  }

  private CollectorLink.Reports reports() {
    return new CollectorLink.Reports() {
      @Override
      public void description(AgentDescription description) {}

      @Override
      public void components(AvailableComponents components) {}

      @Override
      public void customCapabilities(CustomCapabilities capabilities) {
        collectorCapabilities.add(capabilities);
      }

      @Override
      public void customMessage(CustomMessage message) {
        collectorMessages.add(message);
      }
    };
  }
}

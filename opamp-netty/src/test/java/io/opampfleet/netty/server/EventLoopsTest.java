package io.opampfleet.netty.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.opampfleet.netty.InstanceUid;
import io.opampfleet.netty.client.OpampClient;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A server of its own group with as many event loops as asked: one local collector needs one thread, not Netty's 2 a core. */
class EventLoopsTest {
  @Test
  void aServerOfOneEventLoopServesEveryConnectionOnOneThread() throws Exception {
    List<String> threads = new CopyOnWriteArrayList<>();
    try (OpampServer server = OpampServer.builder().bind(new InetSocketAddress("127.0.0.1", 0)).eventLoops(1)
        .callbacks(new ServerCallbacks() {
          @Override
          public void onConnected(AgentConnection connection) {
            threads.add(Thread.currentThread().getName());
          }
        }).start()) {
      List<OpampClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          OpampClient client = OpampClient.builder()
              .endpoint(URI.create("ws://127.0.0.1:" + server.address().getPort() + "/v1/opamp"))
              .instanceUid(InstanceUid.bytes(UUID.randomUUID().toString())).build();
          clients.add(client);
          client.start();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> threads.size() == 4);
        assertThat(Set.copyOf(threads)).hasSize(1);
      } finally {
        for (OpampClient client : clients) {
          client.stop().get(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  @Test
  void aServerOfNoEventLoopIsRefused() {
    assertThatThrownBy(() -> OpampServer.builder().eventLoops(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one event loop");
  }
}

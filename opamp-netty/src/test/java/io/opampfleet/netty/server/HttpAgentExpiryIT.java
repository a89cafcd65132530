package io.opampfleet.netty.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.opampfleet.peers.JdkClients;
import io.opampfleet.proto.AgentToServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** An HTTP agent has no socket that closes: one that stops polling is forgotten after the idle timeout. */
class HttpAgentExpiryIT {
  @Test
  void anHttpAgentThatStopsPollingIsForgottenAndItsCloseIsReported() throws Exception {
    List<AgentConnection> closed = new CopyOnWriteArrayList<>();
    try (OpampServer server = OpampServer.builder()
        .bind(new InetSocketAddress("127.0.0.1", 0))
        .limits(ServerLimits.defaults().withIdleTimeout(Duration.ofSeconds(1)))
        .callbacks(new ServerCallbacks() {
          @Override
          public void onClose(AgentConnection connection) {
            closed.add(connection);
          }
        })
        .start()) {
      URI endpoint = URI.create("http://127.0.0.1:" + server.address().getPort() + OpampServer.DEFAULT_PATH);
      HttpClient http = HttpClient.newHttpClient();
      JdkClients.exchange(http, endpoint, AgentToServer.newBuilder()
          .setInstanceUid(ByteString.copyFrom(new byte[16])).setSequenceNum(0).build());
      assertThat(server.httpAgents()).isEqualTo(1);

      await().atMost(Duration.ofSeconds(5)).until(() -> server.httpAgents() == 0);
      assertThat(closed).hasSize(1);
      assertThat(closed.get(0).transport()).isEqualTo(Transport.HTTP);
      assertThat(closed.get(0).isOpen()).isFalse();
    }
  }
}

package io.opampfleet.server.internal.opamp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.netty.server.ConnectionDecision;
import io.opampfleet.netty.server.ConnectionRequest;
import io.opampfleet.netty.server.Transport;
import io.opampfleet.server.internal.inventory.Inventory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ConnectionAdmissionTest {
  private final Inventory inventory = new Inventory();

  @Test
  void pastTheRateNewConnectionsAreToldToComeBackSpreadOverAFewSeconds() {
    ConnectionAdmission admission = new ConnectionAdmission(1, Duration.ofSeconds(5), inventory);

    List<ConnectionDecision> decisions = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      decisions.add(admission.decide(request(Transport.WEBSOCKET, null)));
    }

    List<ConnectionDecision> refused = decisions.stream().filter(d -> !d.accepted()).toList();
    assertThat(refused).hasSizeGreaterThanOrEqualTo(48);
    assertThat(admission.deferred()).isEqualTo(refused.size());
    assertThat(refused).allSatisfy(decision -> {
      assertThat(decision.httpStatus()).isEqualTo(503);
      assertThat(decision.retryAfter()).hasValueSatisfying(wait ->
          assertThat(wait).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(10)));
    });
    assertThat(refused.stream().map(d -> d.retryAfter().orElseThrow()).distinct().count()).isGreaterThan(1);
  }

  @Test
  void anHttpPollNamingAnUnknownAgentCountsAsNew() {
    ConnectionAdmission admission = new ConnectionAdmission(1, Duration.ofSeconds(5), inventory);
    admission.decide(request(Transport.HTTP, UUID.randomUUID().toString()));

    assertThat(admission.decide(request(Transport.HTTP, UUID.randomUUID().toString())).accepted()).isFalse();
  }

  private static ConnectionRequest request(Transport transport, String uid) {
    DefaultHttpHeaders headers = new DefaultHttpHeaders();
    if (uid != null) {
      headers.set(InstanceUid.HEADER, uid);
    }
    return new ConnectionRequest(transport, new InetSocketAddress("127.0.0.1", 40000), headers, List.of());
  }
}

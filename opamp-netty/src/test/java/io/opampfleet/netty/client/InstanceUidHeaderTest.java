package io.opampfleet.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ServerToAgent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every HTTP poll names its agent in the specification's {@code OpAMP-Instance-UID} header, so a
 * balancer can send an agent's polls to one server without reading the message.
 */
class InstanceUidHeaderTest {
  @Test
  void eachPollCarriesTheAgentsInstanceUidInItsHeader() throws Exception {
    String uid = UUID.randomUUID().toString();
    CompletableFuture<String> header = new CompletableFuture<>();
    CompletableFuture<AgentToServer> message = new CompletableFuture<>();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/opamp", exchange -> {
      header.complete(exchange.getRequestHeaders().getFirst(InstanceUid.HEADER));
      message.complete(AgentToServer.parseFrom(exchange.getRequestBody().readAllBytes()));
      byte[] reply = ServerToAgent.newBuilder().setInstanceUid(InstanceUid.bytes(uid)).build().toByteArray();
      exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
      exchange.sendResponseHeaders(200, reply.length);
      exchange.getResponseBody().write(reply);
      exchange.close();
    });
    server.start();
    OpampClient client = OpampClient.builder()
        .endpoint(URI.create("http://localhost:" + server.getAddress().getPort() + "/v1/opamp"))
        .instanceUid(InstanceUid.bytes(uid)).pollingInterval(Duration.ofSeconds(30)).build();
    try {
      client.start();
      assertThat(header.get(10, TimeUnit.SECONDS)).isEqualTo(uid);
      assertThat(InstanceUid.text(message.get(10, TimeUnit.SECONDS).getInstanceUid())).isEqualTo(uid);
    } finally {
      client.stop().get(10, TimeUnit.SECONDS);
      server.stop(0);
    }
  }
}

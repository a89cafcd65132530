package io.opampfleet.server.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.peers.JdkClients;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.server.fleet.TestFleet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * AgentToServer messages as any agent may send them, handled whole by a running server (its
 * inventory, certificates, assignments, rollouts and store), over plain HTTP: each is answered with
 * a reply or refused with the reply's error or a 4xx (or deferred, past the rate of new connections),
 * never a server error. Four uids share the inputs, so that one message meets the state another left. The first
 * byte picks the uid; the rest is the message (bytes that are no message are sent as they are). In
 * the test command it replays its committed inputs; {@code scripts/fuzz} fuzzes it.
 */
class AgentMessagesFuzzTest {
  private static final ByteString[] UIDS = {
      InstanceUid.bytes("00000000-0000-7000-8000-00000000000a"), InstanceUid.bytes("00000000-0000-7000-8000-00000000000b"),
      InstanceUid.bytes("00000000-0000-7000-8000-00000000000c"), InstanceUid.bytes("00000000-0000-7000-8000-00000000000d")};
  private static TestFleet fleet;
  private static HttpClient http;
  private static URI endpoint;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("agent-messages-fuzz");
    fleet = new TestFleet(dir).withPlainAgents().start();
    http = JdkClients.http(null);
    endpoint = URI.create(fleet.opampEndpoint().toString().replaceFirst("^ws:", "http:"));
    fleet.admin(TestFleet.OPERATOR).post("/api/v1/configs/fuzz/versions", java.util.Map.of("body", "receivers: {}\n"));
    fleet.admin(TestFleet.OPERATOR).put("/api/v1/assignments/fuzz", java.util.Map.of("selector", "",
        "config", "fuzz", "version", 1));
  }

  @AfterAll
  static void stop() {
    fleet.close();
  }

  @FuzzTest(maxDuration = "30s")
  void messagesFromAgents(byte[] data) throws Exception {
    // The client opens connections to the server under test, and to nothing else (set once the fuzzer runs).
    BugDetectors.allowNetworkConnections((host, port) -> port == fleet.opampPort());
    if (data.length == 0) {
      return;
    }
    byte[] rest = Arrays.copyOfRange(data, 1, data.length);
    byte[] body;
    try {
      body = AgentToServer.parseFrom(rest).toBuilder().setInstanceUid(UIDS[(data[0] & 0xff) % UIDS.length]).build()
          .toByteArray();
    } catch (InvalidProtocolBufferException notAMessage) {
      body = rest;
    }

    HttpResponse<byte[]> answer = http.send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-protobuf").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofByteArray());

    // Polls past the listener's rate of new connections are deferred (503 with Retry-After), as designed.
    boolean deferred = answer.statusCode() == 503 && answer.headers().firstValue("Retry-After").isPresent();
    assertThat(deferred || answer.statusCode() < 500).as("HTTP status %d", answer.statusCode()).isTrue();
    if (answer.statusCode() == 200) {
      // An Unknown error is the reply of a server that failed handling the message.
      ServerToAgent reply = ServerToAgent.parseFrom(answer.body());
      assertThat(reply.hasErrorResponse() ? reply.getErrorResponse().getType().name() : "no error")
          .as(reply.getErrorResponse().getErrorMessage()).doesNotEndWith("_Unknown");
    }
  }
}

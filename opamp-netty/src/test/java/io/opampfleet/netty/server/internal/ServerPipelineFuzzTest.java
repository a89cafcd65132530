package io.opampfleet.netty.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.ServerCallbacks;
import io.opampfleet.netty.server.ServerLimits;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ServerToAgent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Whatever bytes a stranger sends the OpAMP listener, as raw bytes, as an HTTP POST (maybe gzipped)
 * or as WebSocket frames after an upgrade: no exception reaches the end of the pipeline, and only
 * messages whose uid is a valid one reach the server's callbacks. In the test command it replays its
 * committed inputs; {@code scripts/fuzz} fuzzes it.
 */
class ServerPipelineFuzzTest {
  private static final ServerCallbacks CHECKING = new ServerCallbacks() {
    @Override
    public CompletionStage<ServerToAgent> onMessage(AgentConnection connection, AgentToServer message) {
      assertThat(InstanceUid.problem(message.getInstanceUid())).isEmpty();
      return CompletableFuture.completedFuture(ServerToAgent.getDefaultInstance());
    }
  };
  private static final EmbeddedEndpoint ENDPOINT = new EmbeddedEndpoint(CHECKING,
      ServerLimits.defaults().withMaxMessageBytes(64 * 1024));

  @FuzzTest(maxDuration = "30s")
  void bytesFromAStranger(FuzzedDataProvider data) {
    EmbeddedChannel connection = ENDPOINT.connect();
    byte[] body = data.consumeBytes(4096);
    String start = switch (data.consumeInt(0, 2)) {
      case 0 -> "";
      case 1 -> "POST /v1/opamp HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
          + (data.consumeBoolean() ? "Content-Encoding: gzip\r\n" : "") + "Content-Length: " + body.length + "\r\n\r\n";
      default -> "GET /v1/opamp HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    };
    try {
      connection.writeInbound(Unpooled.wrappedBuffer(start.getBytes(StandardCharsets.ISO_8859_1), body,
          data.consumeRemainingAsBytes()));
      connection.runPendingTasks();
      connection.checkException();
    } finally {
      connection.finishAndReleaseAll();
    }
  }
}

package io.opampfleet.netty.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.ConnectionDecision;
import io.opampfleet.netty.server.ConnectionRequest;
import io.opampfleet.netty.server.ServerCallbacks;
import io.opampfleet.netty.server.ServerLimits;
import io.opampfleet.proto.AgentDisconnect;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ServerErrorResponse;
import io.opampfleet.proto.ServerErrorResponseType;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.proto.ServerToAgentFlags;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class HttpEndpointTest {
  private static final ByteString UID = ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
  private static final AgentToServer REPORT = AgentToServer.newBuilder().setInstanceUid(UID).setSequenceNum(1)
      .setCapabilities(1).build();

  @Test
  void aPostOfAnAgentToServerIsAnsweredWithAServerToAgentThatEchoesTheUid() throws Exception {
    FullHttpResponse response = new EmbeddedEndpoint().exchange(post(REPORT.toByteArray()));

    assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
    assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/x-protobuf");
    ServerToAgent reply = ServerToAgent.parseFrom(ByteBufUtil.getBytes(response.content()));
    assertThat(reply.getInstanceUid()).isEqualTo(UID);
    assertThat(reply.getCapabilities()).isEqualTo(1);
  }

  @Test
  void aGzippedRequestIsReadAndAGzippedResponseSentWhenAsked() throws Exception {
    FullHttpRequest request = post(gzip(REPORT.toByteArray()));
    request.headers().set(HttpHeaderNames.CONTENT_ENCODING, "gzip");
    request.headers().set(HttpHeaderNames.ACCEPT_ENCODING, "gzip");

    FullHttpResponse response = new EmbeddedEndpoint().exchange(request);

    assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
    assertThat(response.headers().get(HttpHeaderNames.CONTENT_ENCODING)).isEqualTo("gzip");
    ServerToAgent reply = ServerToAgent.parseFrom(gunzip(ByteBufUtil.getBytes(response.content())));
    assertThat(reply.getInstanceUid()).isEqualTo(UID);
  }

  @Test
  void aBodyThatIsNotAnAgentToServerGetsABadRequestReply() throws Exception {
    FullHttpResponse response = new EmbeddedEndpoint().exchange(post(new byte[] {(byte) 0xFF, (byte) 0xFF, 0x01}));

    assertThat(response.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
    ServerToAgent reply = ServerToAgent.parseFrom(ByteBufUtil.getBytes(response.content()));
    assertThat(reply.getErrorResponse().getType()).isEqualTo(ServerErrorResponseType.ServerErrorResponseType_BadRequest);
    assertThat(reply.getErrorResponse().getErrorMessage()).contains("not an AgentToServer");
  }

  @Test
  void aUidThatIsNot16BytesIsRefusedWithoutEchoNorAnHttpAgentKept() throws Exception {
    List<AgentToServer> delivered = new CopyOnWriteArrayList<>();
    EmbeddedEndpoint endpoint = new EmbeddedEndpoint(new ServerCallbacks() {
      @Override
      public java.util.concurrent.CompletionStage<ServerToAgent> onMessage(AgentConnection connection,
          AgentToServer message) {
        delivered.add(message);
        return ServerCallbacks.super.onMessage(connection, message);
      }
    }, ServerLimits.defaults());
    AgentToServer huge = REPORT.toBuilder().setInstanceUid(ByteString.copyFrom(new byte[100_000])).build();

    FullHttpResponse response = endpoint.exchange(post(huge.toByteArray()));

    assertThat(response.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
    ServerToAgent reply = ServerToAgent.parseFrom(ByteBufUtil.getBytes(response.content()));
    assertThat(reply.getInstanceUid()).isEmpty();
    assertThat(reply.getErrorResponse().getErrorMessage()).isEqualTo("the instance_uid must be 16 bytes (a UUID), not 100000");
    assertThat(response.content().readableBytes()).isLessThan(200);
    assertThat(endpoint.context.httpAgentCount()).isZero();
    assertThat(delivered).isEmpty();
  }

  @Test
  void aPollTheServerRefusesLeavesNoConnectionUnlessAnEarlierOneWasAccepted() throws Exception {
    AtomicBoolean refuse = new AtomicBoolean(true);
    EmbeddedEndpoint endpoint = new EmbeddedEndpoint(new ServerCallbacks() {
      @Override
      public java.util.concurrent.CompletionStage<ServerToAgent> onMessage(AgentConnection connection,
          AgentToServer message) {
        return CompletableFuture.completedFuture(refuse.get()
            ? ServerToAgent.newBuilder().setErrorResponse(ServerErrorResponse.newBuilder().setErrorMessage("no"))
                .build()
            : ServerToAgent.getDefaultInstance());
      }
    }, ServerLimits.defaults());

    endpoint.exchange(post(REPORT.toByteArray()));
    assertThat(endpoint.context.httpAgentCount()).isZero();

    refuse.set(false);
    endpoint.exchange(post(REPORT.toByteArray()));
    assertThat(endpoint.context.httpAgentCount()).isOne();
    // Refused once it was accepted (the store away, say): still the agent's connection.
    refuse.set(true);
    endpoint.exchange(post(REPORT.toByteArray()));
    assertThat(endpoint.context.httpAgentCount()).isOne();
  }

  @Test
  void aFirstPollAnsweredWithAnErrorIsKeptWhenTheServerSaysItKeepsTheAgent() throws Exception {
    EmbeddedEndpoint endpoint = new EmbeddedEndpoint(new ServerCallbacks() {
      @Override
      public java.util.concurrent.CompletionStage<ServerToAgent> onMessage(AgentConnection connection,
          AgentToServer message) {
        connection.accepted();
        return CompletableFuture.completedFuture(ServerToAgent.newBuilder()
            .setErrorResponse(ServerErrorResponse.newBuilder().setErrorMessage("certificate request refused")).build());
      }
    }, ServerLimits.defaults());

    endpoint.exchange(post(REPORT.toByteArray()));

    assertThat(endpoint.context.httpAgentCount()).isOne();
  }

  @Test
  void anInstanceUidHeaderThatNamesAnotherAgentIsRefusedAndTheRightOneAccepted() throws Exception {
    EmbeddedEndpoint endpoint = new EmbeddedEndpoint();
    FullHttpRequest other = post(REPORT.toByteArray());
    other.headers().set("OpAMP-Instance-UID", "00000000-0000-0000-0000-000000000000");
    FullHttpRequest same = post(REPORT.toByteArray());
    same.headers().set("OpAMP-Instance-UID", io.opampfleet.netty.InstanceUid.text(REPORT.getInstanceUid()).toUpperCase());

    FullHttpResponse refused = endpoint.exchange(other);

    assertThat(refused.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
    assertThat(ServerToAgent.parseFrom(ByteBufUtil.getBytes(refused.content())).getErrorResponse().getErrorMessage())
        .isEqualTo("the OpAMP-Instance-UID header does not name the message's instance_uid");
    assertThat(endpoint.exchange(same).status()).isEqualTo(HttpResponseStatus.OK);
  }

  @Test
  void anotherPathIsNotFound() {
    FullHttpRequest request = post(REPORT.toByteArray());
    request.setUri("/v1/other");

    assertThat(new EmbeddedEndpoint().exchange(request).status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
  }

  @Test
  void aPostOfAnotherContentTypeIsRefusedWithWhatToSend() {
    FullHttpRequest request = post(REPORT.toByteArray());
    request.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");

    FullHttpResponse response = new EmbeddedEndpoint().exchange(request);

    assertThat(response.status()).isEqualTo(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE);
    assertThat(response.content().toString(java.nio.charset.StandardCharsets.UTF_8)).contains("application/x-protobuf");
  }

  @Test
  void aPlainGetIsNotAllowed() {
    FullHttpResponse response = new EmbeddedEndpoint().exchange(
        new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v1/opamp"));

    assertThat(response.status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
    assertThat(response.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("GET, POST");
  }

  @Test
  void aBodyOverTheLimitIsRefusedWith413() {
    EmbeddedEndpoint endpoint = new EmbeddedEndpoint(new ServerCallbacks() {}, ServerLimits.defaults().withMaxMessageBytes(4096));

    FullHttpResponse response = endpoint.exchange(post(new byte[5000]));

    assertThat(response.status()).isEqualTo(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
  }

  @Test
  void aSmallGzipBodyThatInflatesPastTheLimitIsRefusedWith413() throws Exception {
    EmbeddedEndpoint endpoint = new EmbeddedEndpoint(new ServerCallbacks() {}, ServerLimits.defaults().withMaxMessageBytes(64 * 1024));
    byte[] bomb = gzip(new byte[50 * 1024 * 1024]);
    FullHttpRequest request = post(bomb);
    request.headers().set(HttpHeaderNames.CONTENT_ENCODING, "gzip");

    FullHttpResponse response = endpoint.exchange(request);

    assertThat(bomb.length).isLessThan(100 * 1024);
    assertThat(response.status()).isEqualTo(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
  }

  @Test
  void aMessagePastTheBytesInHandIsRefusedWith503UntilAnotherIsAnswered() throws Exception {
    HeldReply callbacks = new HeldReply();
    EmbeddedEndpoint endpoint = new EmbeddedEndpoint(callbacks,
        ServerLimits.defaults().withMaxMessageBytes(4096).withMaxBytesInHand(4096));
    EmbeddedChannel waiting = endpoint.connect();
    assertThat(EmbeddedEndpoint.exchange(waiting, post(HeldReply.weighing(REPORT.toBuilder().setSequenceNum(HeldReply.HELD)
        .build(), 3000).toByteArray()))).isNull();
    assertThat(endpoint.context.bytesInHand()).isGreaterThan(3000);

    FullHttpResponse refused = endpoint.exchange(post(HeldReply.weighing(REPORT, 1500).toByteArray()));

    assertThat(refused.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
    assertThat(refused.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("30");
    callbacks.reply.complete(ServerToAgent.getDefaultInstance());
    waiting.runPendingTasks();
    assertThat(endpoint.context.bytesInHand()).isZero();
    assertThat(endpoint.exchange(post(REPORT.toByteArray())).status()).isEqualTo(HttpResponseStatus.OK);
  }

  @Test
  void requestsSentAheadWaitTheirTurnAndStayCountedUntilEachIsAnswered() throws Exception {
    HeldReply callbacks = new HeldReply();
    EmbeddedEndpoint endpoint = new EmbeddedEndpoint(callbacks, ServerLimits.defaults());
    EmbeddedChannel connection = endpoint.connect();
    EmbeddedEndpoint.send(connection, post(HeldReply.weighing(
        REPORT.toBuilder().setSequenceNum(HeldReply.HELD).build(), 3000).toByteArray()));
    EmbeddedEndpoint.send(connection, post(HeldReply.weighing(REPORT.toBuilder().setSequenceNum(8).build(), 2000)
        .toByteArray()));

    assertThat(callbacks.handed).containsExactly(HeldReply.HELD);
    assertThat(endpoint.context.bytesInHand()).isGreaterThan(5000);

    callbacks.reply.complete(ServerToAgent.getDefaultInstance());
    assertThat(EmbeddedEndpoint.responses(connection)).hasSize(2)
        .allSatisfy(response -> assertThat(response.status()).isEqualTo(HttpResponseStatus.OK));
    assertThat(callbacks.handed).containsExactly(HeldReply.HELD, 8L);
    assertThat(endpoint.context.bytesInHand()).isZero();
  }

  @Test
  void aRequestRefusedBeforeItsBodyLeavesTheNextOneOnTheConnectionCountedUntilAnswered() throws Exception {
    HeldReply callbacks = new HeldReply();
    EmbeddedEndpoint endpoint = new EmbeddedEndpoint(callbacks, ServerLimits.defaults().withMaxMessageBytes(4096));
    EmbeddedChannel connection = endpoint.connect();
    FullHttpRequest tooLarge = post(new byte[0]);
    HttpUtil.setContentLength(tooLarge, 5000);
    tooLarge.headers().set(HttpHeaderNames.EXPECT, "100-continue");
    EmbeddedEndpoint.send(connection, tooLarge);
    assertThat(EmbeddedEndpoint.responses(connection)).singleElement()
        .satisfies(response -> assertThat(response.status()).isEqualTo(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE));

    EmbeddedEndpoint.send(connection, post(HeldReply.weighing(REPORT.toBuilder().setSequenceNum(HeldReply.HELD)
        .build(), 3000).toByteArray()));

    assertThat(callbacks.handed).containsExactly(HeldReply.HELD);
    assertThat(endpoint.context.bytesInHand()).isGreaterThan(3000);
    callbacks.reply.complete(ServerToAgent.getDefaultInstance());
    assertThat(EmbeddedEndpoint.responses(connection)).hasSize(1);
    assertThat(endpoint.context.bytesInHand()).isZero();
  }

  @Test
  void aKeptAliveConnectionThatTricklesItsNextRequestIsClosedAtTheDeadline() {
    EmbeddedEndpoint endpoint = new EmbeddedEndpoint(new ServerCallbacks() {},
        ServerLimits.defaults().withRequestTimeout(Duration.ofSeconds(10)).withIdleTimeout(Duration.ofSeconds(60)));
    EmbeddedChannel connection = endpoint.connect();
    assertThat(EmbeddedEndpoint.exchange(connection, post(REPORT.toByteArray())).status())
        .isEqualTo(HttpResponseStatus.OK);

    // One byte of the next request's headers every 30 s: never idle for 60 s, never a whole request.
    byte[] headers = "POST /v1/opamp HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII);
    for (int second = 30; second <= 60; second += 30) {
      connection.advanceTimeBy(30, TimeUnit.SECONDS);
      connection.runScheduledPendingTasks();
      connection.writeInbound(Unpooled.wrappedBuffer(headers, second / 30 - 1, 1));
    }
    assertThat(connection.isOpen()).isTrue();
    connection.advanceTimeBy(11, TimeUnit.SECONDS);
    connection.runScheduledPendingTasks();

    assertThat(connection.isOpen()).isFalse();
  }

  @Test
  void connectionsOverTheLimitGet503WithRetryAfter() {
    EmbeddedEndpoint endpoint = new EmbeddedEndpoint(new ServerCallbacks() {}, ServerLimits.defaults().withMaxConnections(1));
    EmbeddedChannel first = endpoint.connect();

    FullHttpResponse refused = endpoint.exchange(post(REPORT.toByteArray()));

    assertThat(refused.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
    assertThat(refused.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("30");
    assertThat(EmbeddedEndpoint.exchange(first, post(REPORT.toByteArray())).status()).isEqualTo(HttpResponseStatus.OK);
  }

  @Test
  void theConnectingCallbackCanRefuseWithAStatusAndRetryAfter() {
    ServerCallbacks refusing = new ServerCallbacks() {
      @Override
      public ConnectionDecision onConnecting(ConnectionRequest request) {
        return request.headers().contains(HttpHeaderNames.AUTHORIZATION)
            ? ConnectionDecision.reject(429, Duration.ofSeconds(90))
            : ConnectionDecision.reject(401);
      }
    };
    EmbeddedEndpoint endpoint = new EmbeddedEndpoint(refusing, ServerLimits.defaults());
    FullHttpRequest withToken = post(REPORT.toByteArray());
    withToken.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer x");

    assertThat(endpoint.exchange(post(REPORT.toByteArray())).status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
    FullHttpResponse throttled = endpoint.exchange(withToken);
    assertThat(throttled.status()).isEqualTo(HttpResponseStatus.TOO_MANY_REQUESTS);
    assertThat(throttled.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("90");
  }

  @Test
  void aConnectionThatSendsNoRequestInTimeIsClosed() {
    EmbeddedEndpoint endpoint = new EmbeddedEndpoint(new ServerCallbacks() {},
        ServerLimits.defaults().withRequestTimeout(Duration.ofSeconds(10)));
    EmbeddedChannel silent = endpoint.connect();

    silent.advanceTimeBy(9, TimeUnit.SECONDS);
    silent.runScheduledPendingTasks();
    assertThat(silent.isOpen()).isTrue();
    silent.advanceTimeBy(2, TimeUnit.SECONDS);
    silent.runScheduledPendingTasks();

    assertThat(silent.isOpen()).isFalse();
  }

  @Test
  void whatTheServerSendsBetweenPollsArrivesMergedInTheNextPollsReply() throws Exception {
    List<AgentConnection> connections = new CopyOnWriteArrayList<>();
    List<AgentConnection> closed = new CopyOnWriteArrayList<>();
    EmbeddedEndpoint endpoint = new EmbeddedEndpoint(new ServerCallbacks() {
      @Override
      public void onConnected(AgentConnection connection) {
        connections.add(connection);
      }

      @Override
      public void onClose(AgentConnection connection) {
        closed.add(connection);
      }
    }, ServerLimits.defaults());
    endpoint.exchange(post(REPORT.toByteArray()));

    connections.get(0).send(ServerToAgent.newBuilder().setFlags(ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE).build());
    FullHttpResponse next = endpoint.exchange(post(REPORT.toBuilder().setSequenceNum(2).build().toByteArray()));
    FullHttpResponse after = endpoint.exchange(post(REPORT.toBuilder().setSequenceNum(3)
        .setAgentDisconnect(AgentDisconnect.getDefaultInstance()).build().toByteArray()));

    assertThat(connections).hasSize(1);
    assertThat(ServerToAgent.parseFrom(ByteBufUtil.getBytes(next.content())).getFlags())
        .isEqualTo(ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE);
    assertThat(ServerToAgent.parseFrom(ByteBufUtil.getBytes(after.content())).getFlags()).isZero();
    assertThat(closed).containsExactly(connections.get(0));
    assertThat(endpoint.context.httpAgentCount()).isZero();
  }

  @Test
  void aCommandTravelsAloneAndWhatElseWaitsForTheNextPoll() throws Exception {
    List<AgentConnection> connections = new CopyOnWriteArrayList<>();
    EmbeddedEndpoint endpoint = new EmbeddedEndpoint(new ServerCallbacks() {
      @Override
      public void onConnected(AgentConnection connection) {
        connections.add(connection);
      }
    }, ServerLimits.defaults());
    endpoint.exchange(post(REPORT.toByteArray()));
    io.opampfleet.proto.AgentRemoteConfig config = io.opampfleet.proto.AgentRemoteConfig.newBuilder()
        .setConfigHash(ByteString.copyFromUtf8("h1")).build();

    connections.get(0).send(ServerToAgent.newBuilder().setRemoteConfig(config).build());
    connections.get(0).send(ServerToAgent.newBuilder().setCommand(io.opampfleet.proto.ServerToAgentCommand.getDefaultInstance()).build());
    ServerToAgent first = ServerToAgent.parseFrom(ByteBufUtil.getBytes(
        endpoint.exchange(post(REPORT.toBuilder().setSequenceNum(2).build().toByteArray())).content()));
    ServerToAgent second = ServerToAgent.parseFrom(ByteBufUtil.getBytes(
        endpoint.exchange(post(REPORT.toBuilder().setSequenceNum(3).build().toByteArray())).content()));

    assertThat(first.hasCommand()).isTrue();
    assertThat(first.hasRemoteConfig()).isFalse();
    assertThat(first.getInstanceUid()).isEqualTo(UID);
    assertThat(second.getRemoteConfig()).isEqualTo(config);
    assertThat(second.hasCommand()).isFalse();
  }

  static FullHttpRequest post(byte[] body) {
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/opamp",
        Unpooled.wrappedBuffer(body));
    request.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-protobuf");
    request.headers().set(HttpHeaderNames.HOST, "localhost");
    HttpUtil.setContentLength(request, body.length);
    return request;
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(data);
    }
    return out.toByteArray();
  }

  static byte[] gunzip(byte[] data) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
      return in.readAllBytes();
    }
  }
}

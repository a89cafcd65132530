package io.opampfleet.netty.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.netty.server.ServerCallbacks;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.AgentRemoteConfig;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ServerErrorResponseType;
import io.opampfleet.proto.ServerToAgent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MessageDispatcherTest {
  private static final ByteString UID = ByteString.copyFromUtf8("0123456789abcdef");

  private final ExecutorService pool = Executors.newFixedThreadPool(4);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void oneConnectionsMessagesReachTheCallbacksInOrderOnAPool() throws Exception {
    List<Long> seen = new CopyOnWriteArrayList<>();
    MessageDispatcher dispatcher = new MessageDispatcher(new ServerCallbacks() {
      @Override
      public CompletionStage<ServerToAgent> onMessage(AgentConnection connection, AgentToServer message) {
        sleepAFew();
        seen.add(message.getSequenceNum());
        return CompletableFuture.completedFuture(ServerToAgent.getDefaultInstance());
      }
    }, pool, 1 << 20);
    TestConnection connection = new TestConnection();

    List<CompletableFuture<ServerToAgent>> replies = new ArrayList<>();
    for (long sequence = 1; sequence <= 50; sequence++) {
      replies.add(dispatcher.dispatch(connection, AgentToServer.newBuilder().setInstanceUid(UID).setSequenceNum(sequence).build()));
    }
    CompletableFuture.allOf(replies.toArray(new CompletableFuture[0])).get(10, TimeUnit.SECONDS);

    assertThat(seen).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 50).boxed().toList());
    assertThat(replies.get(0).get().getInstanceUid()).isEqualTo(UID);
  }

  @Test
  void aCallbackThatThrowsIsAnsweredWithAnUnknownErrorForTheAgent() throws Exception {
    MessageDispatcher dispatcher = new MessageDispatcher(new ServerCallbacks() {
      @Override
      public CompletionStage<ServerToAgent> onMessage(AgentConnection connection, AgentToServer message) {
        throw new IllegalStateException("store down");
      }
    }, pool, 1 << 20);

    ServerToAgent reply = dispatcher.dispatch(new TestConnection(), AgentToServer.newBuilder().setInstanceUid(UID).build())
        .get(5, TimeUnit.SECONDS);

    assertThat(reply.getInstanceUid()).isEqualTo(UID);
    assertThat(reply.getErrorResponse().getType()).isEqualTo(ServerErrorResponseType.ServerErrorResponseType_Unknown);
  }

  @Test
  void aReplyOverTheLimitIsReplacedByAnError() throws Exception {
    ServerToAgent huge = ServerToAgent.newBuilder().setRemoteConfig(AgentRemoteConfig.newBuilder()
        .setConfig(AgentConfigMap.newBuilder().putConfigMap("", AgentConfigFile.newBuilder()
            .setBody(ByteString.copyFrom(new byte[8192])).build()))).build();
    MessageDispatcher dispatcher = new MessageDispatcher(new ServerCallbacks() {
      @Override
      public CompletionStage<ServerToAgent> onMessage(AgentConnection connection, AgentToServer message) {
        return CompletableFuture.completedFuture(huge);
      }
    }, Runnable::run, 4096);

    ServerToAgent reply = dispatcher.dispatch(new TestConnection(), AgentToServer.newBuilder().setInstanceUid(UID).build()).get();

    assertThat(reply.hasRemoteConfig()).isFalse();
    assertThat(reply.getErrorResponse().getErrorMessage()).contains("larger than the message limit");
  }

  @Test
  void mergedMessagesKeepTheNewerFieldsAndEveryFlag() {
    ServerToAgent older = ServerToAgent.newBuilder().setFlags(1).setCapabilities(3)
        .setRemoteConfig(AgentRemoteConfig.newBuilder().setConfigHash(ByteString.copyFromUtf8("old"))).build();
    ServerToAgent newer = ServerToAgent.newBuilder().setFlags(2)
        .setRemoteConfig(AgentRemoteConfig.newBuilder().setConfigHash(ByteString.copyFromUtf8("new"))).build();

    ServerToAgent merged = Replies.merge(older, newer);

    assertThat(merged.getFlags()).isEqualTo(3);
    assertThat(merged.getCapabilities()).isEqualTo(3);
    assertThat(merged.getRemoteConfig().getConfigHash().toStringUtf8()).isEqualTo("new");
  }

  @Test
  void aUidIsWrittenTheCanonicalWay() {
    assertThat(io.opampfleet.netty.InstanceUid.text(ByteString.copyFrom(new byte[] {
        0x01, (byte) 0x9a, 0x2b, 0x3c, 0x4d, 0x5e, 0x7f, 0x00, (byte) 0x81, (byte) 0x92, (byte) 0xa3, (byte) 0xb4,
        (byte) 0xc5, (byte) 0xd6, (byte) 0xe7, (byte) 0xf8})))
        .isEqualTo("019a2b3c-4d5e-7f00-8192-a3b4c5d6e7f8");
    assertThat(io.opampfleet.netty.InstanceUid.text(ByteString.copyFrom(new byte[] {1, 2}))).isEqualTo("0x0102");
  }

  private static void sleepAFew() {
    try {
      Thread.sleep(ThreadLocalRandom.current().nextInt(3));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

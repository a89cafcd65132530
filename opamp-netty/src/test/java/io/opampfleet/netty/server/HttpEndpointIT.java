package io.opampfleet.netty.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.opampfleet.peers.JdkClients;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ServerToAgent;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Another path on the OpAMP listener: its requests reach its endpoint whole and inflated, OpAMP goes on beside it. */
class HttpEndpointIT {
  private final List<HttpEndpoint.Request> seen = new CopyOnWriteArrayList<>();
  private OpampServer server;
  private HttpClient client;

  @BeforeEach
  void start() {
    server = OpampServer.builder()
        .bind(new InetSocketAddress("127.0.0.1", 0))
        .limits(ServerLimits.defaults().withMaxMessageBytes(64 * 1024))
        .callbacks(new ServerCallbacks() {
          @Override
          public CompletionStage<ServerToAgent> onMessage(AgentConnection connection, AgentToServer message) {
            return CompletableFuture.completedFuture(ServerToAgent.newBuilder().setCapabilities(7).build());
          }
        })
        .endpoint("/v1/metrics", request -> {
          seen.add(request);
          if (request.body().length == 0) {
            return CompletableFuture.completedFuture(
                HttpEndpoint.Answer.text(429, "slow down").retryAfter(Duration.ofSeconds(3)));
          }
          return CompletableFuture.completedFuture(HttpEndpoint.Answer.text(200, "got " + request.body().length));
        })
        .start();
    client = JdkClients.http(null);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.address().getPort() + path);
  }

  @Test
  void aGzippedPostReachesTheEndpointInflatedAndItsAnswerComesBack() throws Exception {
    byte[] body = "x".repeat(10_000).getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("/v1/metrics"))
        .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "gzip").header("X-Tenant", "t1")
        .POST(HttpRequest.BodyPublishers.ofByteArray(gzip(body))).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("got 10000\n");
    assertThat(seen).singleElement().satisfies(request -> {
      assertThat(request.method()).isEqualTo("POST");
      assertThat(request.path()).isEqualTo("/v1/metrics");
      assertThat(request.headers().get("X-Tenant")).isEqualTo("t1");
      assertThat(request.peerCertificates()).isEmpty();
      assertThat(request.remoteAddress().getAddress().isLoopbackAddress()).isTrue();
    });
  }

  @Test
  void theEndpointsRetryAfterIsSentAndOpampIsServedBesideIt() throws Exception {
    HttpResponse<String> refused = client.send(HttpRequest.newBuilder(uri("/v1/metrics"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("3");

    ServerToAgent reply = JdkClients.exchange(client, uri("/v1/opamp"), AgentToServer.newBuilder()
        .setInstanceUid(com.google.protobuf.ByteString.copyFrom(new byte[16])).build());
    assertThat(reply.getCapabilities()).isEqualTo(7);
    HttpResponse<String> other = client.send(HttpRequest.newBuilder(uri("/v1/traces"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(other.statusCode()).isEqualTo(404);
  }

  @Test
  void aBodyOverTheListenersLimitOnceInflatedIsRefusedBeforeTheEndpoint() throws Exception {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("/v1/metrics"))
        .header("Content-Encoding", "gzip")
        .POST(HttpRequest.BodyPublishers.ofByteArray(gzip(new byte[1024 * 1024]))).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(seen).isEmpty();
  }

  @Test
  void aRefusalByHeadersIsAnsweredOnTheEventLoopWhileEveryCallbackThreadIsBusy() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.ExecutorService busy = java.util.concurrent.Executors.newSingleThreadExecutor();
    busy.execute(() -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    List<HttpEndpoint.Request> handled = new CopyOnWriteArrayList<>();
    HttpEndpoint guarded = new HttpEndpoint() {
      @Override
      public CompletionStage<Answer> handle(Request request) {
        handled.add(request);
        return CompletableFuture.completedFuture(Answer.text(200, "handled"));
      }

      @Override
      public java.util.Optional<Answer> refusedAtOnce(Request request) {
        return request.headers().contains("Authorization") ? java.util.Optional.empty()
            : java.util.Optional.of(Answer.text(401, "who are you").retryAfter(Duration.ofSeconds(2)));
      }
    };
    try (OpampServer guardedServer = OpampServer.builder().bind(new InetSocketAddress("127.0.0.1", 0))
        .callbackExecutor(busy).endpoint("/v1/metrics", guarded).callbacks(new ServerCallbacks() {}).start()) {
      URI metrics = URI.create("http://127.0.0.1:" + guardedServer.address().getPort() + "/v1/metrics");

      HttpResponse<String> refused = client.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5))
          .header("Content-Type", "application/x-protobuf").POST(HttpRequest.BodyPublishers.ofString("x")).build(),
          HttpResponse.BodyHandlers.ofString());
      CompletableFuture<HttpResponse<String>> taken = client.sendAsync(HttpRequest.newBuilder(metrics)
          .header("Authorization", "Bearer t").header("Content-Type", "application/x-protobuf")
          .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());

      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(refused.body()).isEqualTo("who are you\n");
      assertThat(refused.headers().firstValue("Retry-After")).contains("2");
      assertThat(handled).isEmpty();
      release.countDown();
      assertThat(taken.get(10, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(handled).hasSize(1);
    } finally {
      release.countDown();
      busy.shutdownNow();
    }
  }

  private static byte[] gzip(byte[] body) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
      zip.write(body);
    }
    return out.toByteArray();
  }
}

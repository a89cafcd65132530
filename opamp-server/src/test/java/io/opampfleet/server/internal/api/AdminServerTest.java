package io.opampfleet.server.internal.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.store.AuditLog;
import io.opampfleet.server.internal.store.Database;
import io.opampfleet.server.internal.store.TokenRepository;
import io.opampfleet.server.settings.ServerSettings.Limits;
import io.opampfleet.server.settings.ServerSettings.Storage;
import io.opampfleet.server.settings.ServerSettings.TokenEntry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin listener on a real socket: its defences against callers it cannot keep up with. */
class AdminServerTest {
  private static final String TOKEN = "viewer-token";
  private static final String STREAM = "/api/v1/big-stream";
  private static final String ADMIN_TOKEN = "admin-token";
  private static final int MIB = 1024 * 1024;

  @TempDir
  Path dir;
  private final ThreadPoolExecutor workers = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
      new ArrayBlockingQueue<>(1));
  private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private Database database;

  @BeforeEach
  void open() {
    database = Database.open(new Storage(dir, Optional.empty(), "", "", "a"));
  }

  @AfterEach
  void close() {
    workers.shutdownNow();
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    database.close();
  }

  @Test
  void aCallThatFindsTheWorkersQueueFullIsAnswered503AtOnceAndLaterCallsAreServed() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (AdminServer server = start(Limits.adminDefaults(Runtime.getRuntime().maxMemory()))) {
      // The one worker busy with a long call, and one more call waiting: the queue is full.
      workers.execute(() -> awaitQuietly(release));
      workers.execute(() -> {});
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort()
          + "/healthz")).timeout(Duration.ofSeconds(5)).build();

      HttpResponse<String> refused = client.send(health, HttpResponse.BodyHandlers.ofString());

      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.body()).contains("as many admin calls waiting as it takes; retry shortly");
      release.countDown();
      // Once the worker has taken the waiting call off the queue, there is room again.
      await().atMost(Duration.ofSeconds(5))
          .until(() -> client.send(health, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
    } finally {
      release.countDown();
    }
  }

  @Test
  void callsWithoutAKnownTokenAreRefusedWithoutWaitingForAWorker() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (AdminServer server = start(Limits.adminDefaults(Runtime.getRuntime().maxMemory()))) {
      workers.execute(() -> awaitQuietly(release));
      workers.execute(() -> {});
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      URI stream = URI.create("http://127.0.0.1:" + server.address().getPort() + STREAM);

      HttpResponse<String> none = client.send(HttpRequest.newBuilder(stream).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> unknown = client.send(HttpRequest.newBuilder(stream).header("Authorization", "Bearer guess")
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());

      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.body()).contains("this call needs a token");
      assertThat(unknown.statusCode()).isEqualTo(401);
      assertThat(unknown.body()).contains("the token is not known");
    } finally {
      release.countDown();
    }
  }

  @Test
  void anEventStreamWhoseClientReadsNothingIsClosedOnceNothingOfItMovesForTheIdleTimeout() throws Exception {
    // One stream at a time, so a new stream's answer tells whether the silent client's is still held.
    Limits oneStream = new Limits(64 * 1024, 1024 * 1024, 50, 50, Duration.ofSeconds(30), Duration.ofSeconds(1), 1, 0);
    try (AdminServer server = start(oneStream); Socket silent = new Socket()) {
      silent.setReceiveBufferSize(1024);
      silent.connect(server.address(), 5_000);
      silent.getOutputStream().write(streamRequest());
      // Its answer begins, and from here on its client reads nothing.
      assertThat(new String(silent.getInputStream().readNBytes(15), StandardCharsets.US_ASCII))
          .isEqualTo("HTTP/1.1 200 OK");
      // (The one worker may be busy with the silent stream's first event and queue another a moment: then
      // a call is told the workers' queue is full, which is not what this test is about.)
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
          .until(() -> streamAnswer(server).contains("1 event streams open, its limit"));

      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
          .until(() -> streamAnswer(server).startsWith("HTTP/1.1 200"));
    }
  }

  @Test
  void onePackageFileIsGatheredAtATimeAndTheNextIsTakenOnceItIsAnsweredOrItsClientGone() throws Exception {
    Limits oneMib = new Limits(64 * 1024, MIB, 50, 50, Duration.ofSeconds(30), Duration.ofSeconds(30), 1, 0);
    try (AdminServer server = start(oneMib); Socket first = new Socket(); Socket gone = new Socket()) {
      first.connect(server.address(), 5_000);
      first.setSoTimeout(10_000);
      first.getOutputStream().write(uploadHeaders(200_000));
      first.getOutputStream().write(new byte[100_000]);
      // Half of the first file is in: another upload meanwhile is turned away, told when to come back.
      await().atMost(Duration.ofSeconds(10)).until(() -> upload(server, 1_000).startsWith("HTTP/1.1 503"));
      assertThat(upload(server, 1_000)).containsIgnoringCase("retry-after: 5")
          .contains("another package file is being uploaded; try again once it is stored");

      first.getOutputStream().write(new byte[100_000]);
      assertThat(new String(first.getInputStream().readNBytes(600), StandardCharsets.US_ASCII))
          .startsWith("HTTP/1.1 201").contains("\"bytes\":200000");
      assertThat(upload(server, 1_000)).startsWith("HTTP/1.1 201").contains("\"bytes\":1000");
      assertThat(upload(server, MIB + 1)).startsWith("HTTP/1.1 413")
          .contains("the package file is larger than 1 MiB (admin::max_package_bytes)");

      // A client that goes away halfway gives the slot back with its connection.
      gone.connect(server.address(), 5_000);
      gone.getOutputStream().write(uploadHeaders(200_000));
      gone.getOutputStream().write(new byte[1_000]);
      await().atMost(Duration.ofSeconds(10)).until(() -> upload(server, 1_000).startsWith("HTTP/1.1 503"));
      gone.close();
      await().atMost(Duration.ofSeconds(10)).until(() -> upload(server, 1_000).startsWith("HTTP/1.1 201"));
    }
  }

  @Test
  void anUploadExpectingWhatHttpDoesNotDefineIsAnswered417AndGivesTheSlotBack() throws Exception {
    Limits oneMib = new Limits(64 * 1024, MIB, 50, 50, Duration.ofSeconds(30), Duration.ofSeconds(30), 1, 0);
    try (AdminServer server = start(oneMib); Socket odd = new Socket()) {
      odd.connect(server.address(), 5_000);
      odd.setSoTimeout(10_000);
      odd.getOutputStream().write(new String(uploadHeaders(1_000), StandardCharsets.US_ASCII)
          .replace("Connection: close\r\n", "Connection: keep-alive\r\nExpect: a-miracle\r\n")
          .getBytes(StandardCharsets.US_ASCII));

      assertThat(new String(odd.getInputStream().readNBytes(40), StandardCharsets.US_ASCII))
          .startsWith("HTTP/1.1 417");
      // Its connection is closed (reading to the end times out if it is not), and with it the slot its
      // headers took is given back.
      odd.getInputStream().readAllBytes();
      await().atMost(Duration.ofSeconds(10)).until(() -> upload(server, 1_000).startsWith("HTTP/1.1 201"));
    }
  }

  /**
   * The listener with a viewer's token and a stream of 64 KiB events, 20 a second, and an admin's
   * token and a package upload that answers the size it got.
   */
  private AdminServer start(Limits limits) {
    AdminApi api = new AdminApi(new Tokens(List.of(new TokenEntry("viewer", "viewer", ConfigVersion.sha256(TOKEN)),
        new TokenEntry("admin", "admin", ConfigVersion.sha256(ADMIN_TOKEN))),
        new TokenRepository(database)), () -> "", () -> true, secret -> null, SecretRedactor.defaults(),
        new AuditLog(database), System::currentTimeMillis);
    api.add(List.of(new Route("GET", STREAM, Role.VIEWER,
        request -> new EventStream("big", Duration.ofMillis(50), () -> Map.of("data", "x".repeat(64 * 1024)))),
        new Route("POST", "/api/v1/packages/file", Role.ADMIN, request -> Map.of("bytes", request.body().length))));
    return AdminServer.start(new InetSocketAddress("127.0.0.1", 0), null, limits, api, loops, workers);
  }

  private static byte[] uploadHeaders(int bytes) {
    return ("POST /api/v1/packages/file?name=otelcol&version=1 HTTP/1.1\r\nHost: fleet\r\nAuthorization: Bearer "
        + ADMIN_TOKEN + "\r\nContent-Length: " + bytes + "\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** A whole upload of {@code bytes} on a connection of its own: the start of its answer. */
  private static String upload(AdminServer server, int bytes) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(server.address(), 5_000);
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(uploadHeaders(bytes));
      try {
        socket.getOutputStream().write(new byte[bytes]);
      } catch (IOException refusedBeforeTheBody) {
        // Answered and closed before the whole body went out: the answer is still there to read.
      }
      return new String(socket.getInputStream().readNBytes(600), StandardCharsets.US_ASCII);
    }
  }

  private static byte[] streamRequest() {
    return ("GET " + STREAM + " HTTP/1.1\r\nHost: fleet\r\nAuthorization: Bearer " + TOKEN + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** The start of what a new stream request is answered (its connection closed after). */
  private static String streamAnswer(AdminServer server) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(server.address(), 5_000);
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(streamRequest());
      byte[] start = new byte[1024];
      int n = socket.getInputStream().read(start);
      return n < 0 ? "" : new String(start, 0, n, StandardCharsets.US_ASCII);
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

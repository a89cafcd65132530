package io.opampfleet.netty.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.netty.buffer.Unpooled;
import io.opampfleet.peers.JdkClients;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ServerErrorResponseType;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.proto.framing.WebSocketMessageCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Clients that break the rules, each refused the way the protocol says, while a well-behaved agent
 * polls the same server all along and never misses a reply.
 */
class HostileClientsIT {
  private static final int LIMIT = 64 * 1024;
  /**
   * Short, for the test that waits for it, yet long enough that every other request here is read and
   * answered within it on a loaded machine (at 1 s a refused gzip bomb was once closed unanswered).
   */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);
  private static final AgentToServer REPORT = AgentToServer.newBuilder()
      .setInstanceUid(ByteString.copyFromUtf8("healthy-agent-01")).setCapabilities(1).build();

  /** An endpoint beside OpAMP that refuses every request on the event loop, as the OTLP receiver refuses a GET. */
  private static final String REFUSING = "/v1/refusing";
  private OpampServer server;
  private HttpClient http;
  private Thread healthyAgent;
  private final AtomicInteger healthyReplies = new AtomicInteger();
  private final List<Throwable> healthyFailures = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    server = OpampServer.builder()
        .bind(new InetSocketAddress("127.0.0.1", 0))
        .limits(ServerLimits.defaults().withMaxMessageBytes(LIMIT).withRequestTimeout(REQUEST_TIMEOUT))
        .endpoint(REFUSING, new HttpEndpoint() {
          @Override
          public CompletionStage<Answer> handle(Request request) {
            return CompletableFuture.completedFuture(Answer.text(200, "taken"));
          }

          @Override
          public Optional<Answer> refusedAtOnce(Request request) {
            return Optional.of(Answer.text(405, "this path takes a POST; " + "a reason of some length. ".repeat(8)));
          }
        })
        .start();
    http = JdkClients.http(null);
    healthyAgent = new Thread(this::pollWhileRunning, "healthy-agent");
    healthyAgent.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> healthyReplies.get() > 0);
  }

  @AfterEach
  void theHealthyAgentWasServedThroughout() throws Exception {
    int afterTheAct = healthyReplies.get();
    await().atMost(Duration.ofSeconds(10)).until(() -> healthyReplies.get() >= afterTheAct + 3);
    healthyAgent.interrupt();
    healthyAgent.join(5000);
    server.close();
    assertThat(healthyFailures).isEmpty();
  }

  @Test
  void bytesThatAreNotHttpGetTheConnectionClosed() throws Exception {
    try (Socket socket = connect()) {
      socket.getOutputStream().write("\u0016\u0003\u0001 not http at all\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));

      String answer = readToEnd(socket);

      assertThat(answer).startsWith("HTTP/1.1 400");
    }
  }

  @Test
  void aConnectionThatNeverSpeaksIsClosedAfterTheRequestTimeout() throws Exception {
    try (Socket socket = connect()) {
      long started = System.nanoTime();

      assertThat(socket.getInputStream().read()).isEqualTo(-1);

      assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(REQUEST_TIMEOUT.multipliedBy(8).dividedBy(10),
          REQUEST_TIMEOUT.plusSeconds(4));
    }
  }

  @Test
  void aClientThatSendsRequestsAndNeverReadsTheAnswersIsNoLongerReadFrom() throws Exception {
    // Refused at once, each answer five times the size of its request.
    byte[] refused = ("GET " + REFUSING + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    byte[] hundred = new byte[refused.length * 100];
    for (int i = 0; i < 100; i++) {
      System.arraycopy(refused, 0, hundred, i * refused.length, refused.length);
    }
    AtomicLong sent = new AtomicLong();
    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(4096);
      socket.connect(new InetSocketAddress("127.0.0.1", server.address().getPort()));
      Thread writer = new Thread(() -> {
        try {
          while (!Thread.currentThread().isInterrupted()) {
            socket.getOutputStream().write(hundred);
            sent.addAndGet(hundred.length);
          }
        } catch (IOException closed) {
          // The socket closes when the test ends.
        }
      }, "never-reads");
      writer.start();

      // Each answer is larger than its request: were the server to read on while its answers wait to
      // be written, it would hold them all, and this client could send for ever.
      long[] last = {-1};
      long[] still = {System.nanoTime()};
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
        long now = sent.get();
        if (now != last[0]) {
          last[0] = now;
          still[0] = System.nanoTime();
        }
        return System.nanoTime() - still[0] > Duration.ofSeconds(3).toNanos();
      });
      assertThat(writer.isAlive()).as("held in a write on an open connection").isTrue();
      assertThat(sent.get()).as("what the kernel's buffers hold, no more").isLessThan(64L << 20);
    }
  }

  @Test
  void aWebSocketFrameTrickledInIsCountedAsItArrivesAndClosedAfterTheRequestTimeout() throws Exception {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + OpampServer.DEFAULT_PATH + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      assertThat(readHead(socket)).startsWith("HTTP/1.1 101");
      long bytesInHandBefore = server.bytesInHand();
      int announced = LIMIT - 1;
      // A masked binary frame announcing just under the limit, and half of it.
      out.write(new byte[] {(byte) 0x82, (byte) (0x80 | 126), (byte) (announced >> 8), (byte) announced, 1, 2, 3, 4});
      out.write(new byte[announced / 2]);
      long started = System.nanoTime();
      // (Less than all of it: the healthy agent's own request may have been in hand before, and answered since.)
      await().atMost(Duration.ofSeconds(5)).until(() -> server.bytesInHand() - bytesInHandBefore >= announced / 4);

      try {
        for (int i = 0; i < 40; i++) {
          Thread.sleep(250);
          out.write(0);
        }
      } catch (IOException closed) {
        // The server closed it: what the test waits for.
      }
      InputStream in = socket.getInputStream();
      while (in.read() != -1) {
        // The close frame, then the end.
      }

      assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(REQUEST_TIMEOUT.multipliedBy(8).dividedBy(10),
          REQUEST_TIMEOUT.plusSeconds(4));
      await().atMost(Duration.ofSeconds(5)).until(() -> server.bytesInHand() <= bytesInHandBefore);
    }
  }

  /** An HTTP response's head, read a byte at a time so that nothing after it is taken. */
  private static String readHead(Socket socket) throws IOException {
    StringBuilder head = new StringBuilder();
    InputStream in = socket.getInputStream();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int next = in.read();
      if (next == -1) {
        break;
      }
      head.append((char) next);
    }
    return head.toString();
  }

  @Test
  void aGzipBombIsRefusedWith413() throws Exception {
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(compressed)) {
      gzip.write(new byte[64 * 1024 * 1024]);
    }

    HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint("http"))
            .header("Content-Type", "application/x-protobuf")
            .header("Content-Encoding", "gzip")
            .POST(HttpRequest.BodyPublishers.ofByteArray(compressed.toByteArray()))
            .build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(compressed.size()).isLessThan(100 * 1024);
    assertThat(response.statusCode()).isEqualTo(413);
  }

  @Test
  void aWrongContentTypeIsRefusedWith415() throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint("http"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(415);
  }

  @Test
  void aTextWebSocketMessageClosesTheSocketWith1003() throws Exception {
    JdkClients.Socket socket = JdkClients.Socket.open(http, endpoint("ws"));

    socket.webSocket.sendText("{\"hello\": true}", true);

    assertThat(socket.closeStatus.get(10, TimeUnit.SECONDS)).isEqualTo(1003);
  }

  @Test
  void aWebSocketMessageOverTheLimitClosesTheSocketWith1009() throws Exception {
    JdkClients.Socket socket = JdkClients.Socket.open(http, endpoint("ws"));

    socket.webSocket.sendBinary(ByteBuffer.wrap(new byte[LIMIT + 1]), true);

    // The server refuses the frame by its header and closes with 1009 (WebSocketEndpointTest shows
    // the frame); a client still writing the rest may see its pipe broken before it reads the close.
    try {
      assertThat(socket.closeStatus.get(10, TimeUnit.SECONDS)).isEqualTo(1009);
    } catch (java.util.concurrent.ExecutionException brokenWhileWriting) {
      assertThat(brokenWhileWriting.getCause()).isInstanceOf(java.io.IOException.class);
    }
  }

  @Test
  void aWrongWebSocketHeaderOrBytesThatAreNotProtobufGetABadRequestReply() throws Exception {
    JdkClients.Socket socket = JdkClients.Socket.open(http, endpoint("ws"));

    socket.webSocket.sendBinary(ByteBuffer.wrap(new byte[] {0x05, 0x0A, 0x00}), true).get(5, TimeUnit.SECONDS);
    ServerToAgent wrongHeader = WebSocketMessageCodec.decode(Unpooled.wrappedBuffer(socket.next()), ServerToAgent.parser());
    socket.webSocket.sendBinary(ByteBuffer.wrap(new byte[] {0x00, (byte) 0xFF, (byte) 0xFF}), true).get(5, TimeUnit.SECONDS);
    ServerToAgent notProtobuf = WebSocketMessageCodec.decode(Unpooled.wrappedBuffer(socket.next()), ServerToAgent.parser());

    assertThat(wrongHeader.getErrorResponse().getType()).isEqualTo(ServerErrorResponseType.ServerErrorResponseType_BadRequest);
    assertThat(notProtobuf.getErrorResponse().getType()).isEqualTo(ServerErrorResponseType.ServerErrorResponseType_BadRequest);
  }

  private void pollWhileRunning() {
    HttpClient client = JdkClients.http(null);
    while (!Thread.currentThread().isInterrupted()) {
      try {
        ServerToAgent reply = JdkClients.exchange(client, endpoint("http"), REPORT);
        if (!reply.getInstanceUid().equals(REPORT.getInstanceUid())) {
          throw new AssertionError("a reply for another agent: " + reply);
        }
        healthyReplies.incrementAndGet();
        Thread.sleep(20);
      } catch (InterruptedException e) {
        return;
      } catch (Exception | AssertionError e) {
        if (!Thread.currentThread().isInterrupted()) {
          healthyFailures.add(e);
        }
      }
    }
  }

  private Socket connect() throws Exception {
    Socket socket = new Socket("127.0.0.1", server.address().getPort());
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static String readToEnd(Socket socket) throws Exception {
    InputStream in = socket.getInputStream();
    return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  private URI endpoint(String scheme) {
    return URI.create(scheme + "://127.0.0.1:" + server.address().getPort() + OpampServer.DEFAULT_PATH);
  }
}

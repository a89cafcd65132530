package io.opampfleet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.opampfleet.server.fleet.TestFleet;
import io.opampfleet.server.settings.ServerSettings.Limits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin listener defends itself: clients that hold connections, send too much or read nothing. */
class AdminListenerLimitsIT {
  private static final Limits LIMITS = new Limits(64 * 1024, 1024 * 1024, 50, 5, Duration.ofSeconds(2),
      Duration.ofSeconds(30), 2, 0);

  private static final AtomicInteger NEXT_ADDRESS = new AtomicInteger();
  private static final String NEW_VERSION = "{\"body\": \"receivers: {}\\n\"}";

  @TempDir
  static Path dir;
  private static TestFleet fleet;

  @BeforeAll
  static void start() {
    fleet = new TestFleet(dir).withAdminLimits(LIMITS).start();
  }

  @AfterAll
  static void stop() {
    fleet.close();
  }

  @Test
  void aRequestNotFinishedWithinTheRequestTimeoutHasItsConnectionClosed() throws Exception {
    try (Socket socket = connect()) {
      long start = System.nanoTime();
      send(socket, "GET /api/v1/agents HTTP/1.1\r\nHost: fleet\r\n");

      assertThat(readToEnd(socket)).isEmpty();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(8));
    }
  }

  @Test
  void connectionsBeyondTheCapOfOneAddressAreAnswered503AtOnce() throws Exception {
    // An address of its own, which connect() never uses.
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < LIMITS.maxConnectionsPerAddress(); i++) {
        Socket socket = connectFrom("127.0.0.100");
        held.add(socket);
        // Answered, so counted: connections become active on several event loops, in no set order.
        send(socket, "GET /healthz HTTP/1.1\r\nHost: fleet\r\n\r\n");
        assertThat(readSome(socket)).startsWith("HTTP/1.1 200");
      }
      try (Socket over = connectFrom("127.0.0.100")) {
        String answer = readToEnd(over);
        assertThat(answer).startsWith("HTTP/1.1 503").contains("Retry-After: 5")
            .contains("the admin listener is at its connection limit");
      }
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
    }
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
        .until(() -> fleet.admin(TestFleet.VIEWER).get("/api/v1/agents").status() == 200);
  }

  @Test
  void connectionsBeyondTheTotalCapAreAnswered503WhateverAddressTheyComeFrom() throws Exception {
    // Each address stays within its own cap: only the listener's total can turn one away.
    List<Socket> held = new ArrayList<>();
    String refused = null;
    try {
      for (int address = 2; refused == null && address < 2 + LIMITS.maxConnections(); address++) {
        for (int i = 0; refused == null && i < LIMITS.maxConnectionsPerAddress(); i++) {
          Socket socket = connectFrom("127.0.0." + address);
          held.add(socket);
          send(socket, "GET /healthz HTTP/1.1\r\nHost: fleet\r\n\r\n");
          String answer = readSome(socket);
          if (!answer.startsWith("HTTP/1.1 200")) {
            refused = answer;
          }
        }
      }
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
    }
    assertThat(refused).startsWith("HTTP/1.1 503").contains("the admin listener is at its connection limit");
    // Others' kept-alive connections count too: the refusal came at the cap, not later.
    assertThat(held).hasSizeLessThanOrEqualTo(LIMITS.maxConnections() + 1);
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
        .until(() -> fleet.admin(TestFleet.VIEWER).get("/api/v1/agents").status() == 200);
  }

  @Test
  void aKeptAliveConnectionLeftIdleIsClosedAfterTheIdleAndRequestTimeouts(@TempDir Path other) throws Exception {
    Limits idleSoon = new Limits(64 * 1024, 1024 * 1024, 50, 5, Duration.ofSeconds(1), Duration.ofSeconds(1), 2, 0);
    try (TestFleet quick = new TestFleet(other).withAdminLimits(idleSoon).start();
         Socket socket = new Socket(quick.adminUrl().getHost(), quick.adminUrl().getPort())) {
      socket.setSoTimeout(10_000);
      send(socket, "GET /healthz HTTP/1.1\r\nHost: fleet\r\n\r\n");
      assertThat(readSome(socket)).startsWith("HTTP/1.1 200");
      long answered = System.nanoTime();

      assertThat(readToEnd(socket)).isEmpty();
      assertThat(Duration.ofNanos(System.nanoTime() - answered)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(6));
    }
  }

  @Test
  void aRequestNettyCannotDecodeIs400AndNeverRunsEvenWithAValidToken() throws Exception {
    try (Socket socket = connect()) {
      // Two lengths that disagree: Netty cannot tell where the body ends.
      send(socket, newVersionRequest("undecodable", "Content-Length: " + (NEW_VERSION.length() + 1) + "\r\n"));

      assertThat(readToEnd(socket)).startsWith("HTTP/1.1 400").contains("malformed HTTP request");
    }
    assertThat(fleet.admin(TestFleet.VIEWER).get("/api/v1/configs/undecodable").status()).isEqualTo(404);
  }

  @Test
  void anOverLongRequestLineIs414AndNeverRuns() throws Exception {
    try (Socket socket = connect()) {
      send(socket, "GET /api/v1/agents?x=" + "a".repeat(5000) + " HTTP/1.1\r\nHost: fleet\r\n\r\n");

      assertThat(readToEnd(socket)).startsWith("HTTP/1.1 414").contains("longer than 4096 bytes")
          .doesNotContain("needs a token");
    }
  }

  @Test
  void aRequestWithHeadersTooLargeIs431AndDoesNotRunEvenWithAValidToken() throws Exception {
    try (Socket socket = connect()) {
      send(socket, newVersionRequest("huge-header", "X-Padding: " + "p".repeat(10 * 1024) + "\r\n"));

      assertThat(readToEnd(socket)).startsWith("HTTP/1.1 431").contains("headers are larger than 8192 bytes");
    }
    assertThat(fleet.admin(TestFleet.VIEWER).get("/api/v1/configs/huge-header").status()).isEqualTo(404);
  }

  @Test
  void aBodyOverTheSettingIsRefusedWith413() {
    assertThat(fleet.admin(TestFleet.OPERATOR).post("/api/v1/configs/big/versions",
        Map.of("body", "x: " + "y".repeat(70 * 1024))).status()).isEqualTo(413);
  }

  @Test
  void aBodyWithoutAKnownTokenIsAnswered401BeforeItIsRead() throws Exception {
    try (Socket socket = connect()) {
      send(socket, "POST /api/v1/configs/stranger/versions HTTP/1.1\r\nHost: fleet\r\n"
          + "Content-Type: application/json\r\nContent-Length: 60000\r\n\r\n");

      assertThat(readSome(socket)).startsWith("HTTP/1.1 401").contains("this call needs a token");
    }
  }

  @Test
  void requestsSentAheadOnOneConnectionAreAnsweredOneByOneInOrder() throws Exception {
    try (Socket socket = connect()) {
      String agents = "GET /api/v1/agents HTTP/1.1\r\nHost: fleet\r\nAuthorization: Bearer " + TestFleet.VIEWER
          + "\r\n\r\n";
      send(socket, agents + "GET /healthz HTTP/1.1\r\nHost: fleet\r\n\r\n" + agents
          + "GET /readyz HTTP/1.1\r\nHost: fleet\r\nConnection: close\r\n\r\n");

      String answers = readToEnd(socket);
      assertThat(answers.split("HTTP/1.1 200", -1)).hasSize(5);
      assertThat(answers.indexOf("\"status\":\"ok\"")).isGreaterThan(answers.indexOf("\"agents\""))
          .isLessThan(answers.lastIndexOf("\"agents\""));
      assertThat(answers.indexOf("\"status\":\"ready\"")).isGreaterThan(answers.lastIndexOf("\"agents\""));
    }
  }

  @Test
  void eventStreamsBeyondTheCapAreRefusedWith503() throws Exception {
    try (Socket first = connect(); Socket second = connect(); Socket third = connect()) {
      for (Socket socket : List.of(first, second)) {
        send(socket, streamRequest());
        assertThat(readSome(socket)).startsWith("HTTP/1.1 200").contains("text/event-stream");
      }
      send(third, streamRequest());
      assertThat(readToEnd(third)).startsWith("HTTP/1.1 503").contains("2 event streams open, its limit");
    }
  }

  /** A request, with the operator's token, that adds a version to config {@code name}; {@code headers} besides. */
  private static String newVersionRequest(String name, String headers) {
    return "POST /api/v1/configs/" + name + "/versions HTTP/1.1\r\nHost: fleet\r\nAuthorization: Bearer "
        + TestFleet.OPERATOR + "\r\nContent-Type: application/json\r\n" + headers + "Content-Length: "
        + NEW_VERSION.length() + "\r\n\r\n" + NEW_VERSION;
  }

  private static String streamRequest() {
    return "GET /api/v1/stream HTTP/1.1\r\nHost: fleet\r\nAuthorization: Bearer " + TestFleet.VIEWER + "\r\n\r\n";
  }

  /**
   * A connection from a loopback address no other connection of these tests uses, so that none of
   * them meets the cap of one address (other clients keep connections from 127.0.0.1 alive).
   */
  private static Socket connect() throws IOException {
    return connectFrom("127.0.1." + (1 + NEXT_ADDRESS.getAndIncrement() % 250));
  }

  /** A connection from another loopback address, as another client would make it. */
  private static Socket connectFrom(String address) throws IOException {
    Socket socket = new Socket();
    socket.bind(new InetSocketAddress(address, 0));
    socket.connect(new InetSocketAddress("127.0.0.1", fleet.adminUrl().getPort()), 5_000);
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static void send(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
  }

  /** What the server sends until it closes the connection; fails when it keeps it open past the socket timeout. */
  private static String readToEnd(Socket socket) throws IOException {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[8192];
    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
      received.write(buffer, 0, n);
    }
    return received.toString(StandardCharsets.ISO_8859_1);
  }

  private static String readSome(Socket socket) throws IOException {
    byte[] buffer = new byte[8192];
    try {
      int n = socket.getInputStream().read(buffer);
      return n < 0 ? "" : new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
    } catch (SocketTimeoutException e) {
      return "";
    }
  }
}

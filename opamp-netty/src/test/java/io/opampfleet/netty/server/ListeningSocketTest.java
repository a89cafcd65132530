package io.opampfleet.netty.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A server on a socket listening before it started: a client that connected meanwhile is served. */
class ListeningSocketTest {
  @Test
  void aClientThatConnectedBeforeTheServerStartedIsServedOnceItHas() throws Exception {
    ServerSocketChannel listening = ServerSocketChannel.open();
    listening.bind(new InetSocketAddress("127.0.0.1", 0));
    int port = ((InetSocketAddress) listening.getLocalAddress()).getPort();
    try (Socket early = new Socket("127.0.0.1", port)) {
      early.setSoTimeout(10_000);
      early.getOutputStream().write("GET /v1/opamp HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));

      try (OpampServer server = OpampServer.builder().listening(listening).eventLoops(1).start()) {
        assertThat(server.address().getPort()).isEqualTo(port);
        String status = new BufferedReader(new InputStreamReader(early.getInputStream(), StandardCharsets.US_ASCII))
            .readLine();
        assertThat(status).startsWith("HTTP/1.1 ");
      }
    }
    assertThat(listening.isOpen()).isFalse();
  }
}

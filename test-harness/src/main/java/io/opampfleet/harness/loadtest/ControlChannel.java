package io.opampfleet.harness.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The line a coordinator and one worker talk over: one JSON object per line, each with a {@code
 * type}. Plain TCP on a port the coordinator opens: keep it on loopback or a network you trust.
 */
final class ControlChannel implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  /** A line longer than this is no message of ours: a delta is a few kilobytes. */
  private static final int MAX_LINE = 16 << 20;

  private final Socket socket;
  private final BufferedReader in;
  private final OutputStream out;

  ControlChannel(Socket socket) throws IOException {
    this.socket = socket;
    socket.setTcpNoDelay(true);
    this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    this.out = socket.getOutputStream();
  }

  /** Sends a message of this type with these fields (an object Jackson can write, or null for none). */
  synchronized void send(String type, String field, Object value) throws IOException {
    ObjectNode message = JSON.createObjectNode().put("type", type);
    if (field != null) {
      message.set(field, JSON.valueToTree(value));
    }
    out.write(JSON.writeValueAsBytes(message));
    out.write('\n');
    out.flush();
  }

  void send(String type) throws IOException {
    send(type, null, null);
  }

  /** The next message; throws when the other side is gone or sends what is not one. */
  JsonNode read() throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new IOException("the other side closed the connection");
      }
      if (line.length() >= MAX_LINE) {
        throw new IOException("a message is longer than " + MAX_LINE + " characters");
      }
      line.append((char) c);
    }
    JsonNode message = JSON.readTree(line.toString());
    if (message == null || !message.hasNonNull("type")) {
      throw new IOException("a message without a type: " + line.substring(0, Math.min(80, line.length())));
    }
    return message;
  }

  String peer() {
    return String.valueOf(socket.getRemoteSocketAddress());
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}

package io.opampfleet.peers;

import io.opampfleet.certs.CertifiedKey;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.ServerToAgent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** OpAMP exchanges made with the JDK's own HTTP and WebSocket clients, optionally over mutual TLS. */
public final class JdkClients {
  private JdkClients() {}

  public static HttpClient http(SSLContext tls) {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    return tls == null ? builder.build() : builder.sslContext(tls).build();
  }

  public static HttpResponse<byte[]> post(HttpClient client, URI endpoint, AgentToServer message) throws Exception {
    return client.send(HttpRequest.newBuilder(endpoint)
            .header("Content-Type", "application/x-protobuf")
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofByteArray(message.toByteArray()))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  public static ServerToAgent exchange(HttpClient client, URI endpoint, AgentToServer message) throws Exception {
    HttpResponse<byte[]> response = post(client, endpoint, message);
    if (response.statusCode() != 200) {
      throw new AssertionError("HTTP " + response.statusCode());
    }
    return ServerToAgent.parseFrom(response.body());
  }

  /** A WebSocket that hands over each binary message it receives, and how it closed. */
  public static final class Socket implements WebSocket.Listener, AutoCloseable {
    public final java.util.concurrent.BlockingQueue<byte[]> messages = new java.util.concurrent.LinkedBlockingQueue<>();
    public final CompletableFuture<Integer> closeStatus = new CompletableFuture<>();
    private final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();
    public WebSocket webSocket;

    public static Socket open(HttpClient client, URI endpoint) throws Exception {
      Socket socket = new Socket();
      socket.webSocket = client.newWebSocketBuilder().buildAsync(endpoint, socket).get(10, TimeUnit.SECONDS);
      return socket;
    }

    /** Sends one message as OpAMP frames it over a WebSocket: a zero header byte, then the message. */
    public void send(AgentToServer message) throws Exception {
      byte[] bytes = message.toByteArray();
      webSocket.sendBinary(ByteBuffer.wrap(ByteBuffer.allocate(bytes.length + 1).put((byte) 0).put(bytes).array()), true)
          .get(10, TimeUnit.SECONDS);
    }

    /** Sends one message and reads the server's answer. */
    public ServerToAgent exchange(AgentToServer message) throws Exception {
      send(message);
      byte[] answer = next();
      return ServerToAgent.parseFrom(java.util.Arrays.copyOfRange(answer, 1, answer.length));
    }

    /** Drops the connection at once, as a client that went away does. */
    @Override
    public void close() {
      webSocket.abort();
    }

    public byte[] next() throws InterruptedException {
      byte[] message = messages.poll(10, TimeUnit.SECONDS);
      if (message == null) {
        throw new AssertionError("no message within 10 s");
      }
      return message;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      partial.writeBytes(bytes);
      if (last) {
        messages.add(partial.toByteArray());
        partial.reset();
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closeStatus.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closeStatus.completeExceptionally(error);
    }
  }

  /** A JDK SSLContext that presents {@code client} (when not null) and trusts {@code ca}. */
  public static SSLContext tls(CertifiedKey client, X509Certificate ca) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);
    KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    if (client != null) {
      keys.setKeyEntry("agent", client.privateKey(), new char[0], client.chainArray());
    }
    keyManagers.init(keys, new char[0]);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
    return context;
  }
}

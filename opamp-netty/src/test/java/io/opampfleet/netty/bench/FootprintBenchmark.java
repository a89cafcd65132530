package io.opampfleet.netty.bench;

import com.google.protobuf.ByteString;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.CertifiedKey;
import io.opampfleet.certs.KeyAlgorithm;
import io.opampfleet.certs.Pem;
import io.opampfleet.certs.ServerNames;
import io.opampfleet.certs.TlsContexts;
import io.opampfleet.certs.Validity;
import io.opampfleet.netty.Backoff;
import io.opampfleet.netty.client.ClientCallbacks;
import io.opampfleet.netty.client.OpampClient;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.KeyValue;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Idle mutual-TLS WebSocket connections from this JVM (our client) to an OpAMP server in another
 * process (our server): memory per idle connection on each side, and the mTLS handshake rate next
 * to OpenSSL's own s_server and s_time with the same certificates, in the same run.
 * Arguments: [connections, default 10000] [OPENSSL|JDK, default OpenSSL where it loads].
 * Run it with scripts/footprint-benchmark, which gives both JVMs the same fixed, pre-touched heap.
 */
public final class FootprintBenchmark {
  private static final Duration RATE_DURATION = Duration.ofSeconds(10);

  private FootprintBenchmark() {}

  public static void main(String[] args) throws Exception {
    int connections = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    SslProvider provider = args.length > 1 ? SslProvider.valueOf(args[1])
        : OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    Path pki = Files.createTempDirectory("footprint-pki");
    CertificateAuthority ca = CertificateAuthority.create("Footprint CA", KeyAlgorithm.EC_P256, Validity.days(1));
    CertifiedKey server = ca.issueServer(ServerNames.localhost(), Validity.days(1));
    CertifiedKey agent = ca.issueClient("footprint-agent", Validity.days(1));
    Pem.write(pki.resolve("ca.crt"), ca.certificate());
    Pem.write(pki.resolve("server.crt"), (Object[]) server.chainArray());
    Pem.write(pki.resolve("server.key"), server.privateKey());
    Pem.write(pki.resolve("client.crt"), (Object[]) agent.chainArray());
    Pem.write(pki.resolve("client.key"), agent.privateKey());

    Process serverProcess = new ProcessBuilder(serverCommand(pki, provider)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader serverOut = new BufferedReader(new InputStreamReader(serverProcess.getInputStream(), StandardCharsets.UTF_8));
    PrintWriter serverIn = new PrintWriter(serverProcess.getOutputStream(), true, StandardCharsets.UTF_8);
    int port = Integer.parseInt(serverOut.readLine().substring("READY ".length()));
    SslContext clientTls = new TlsContexts(provider).mutualTlsClient(agent, ca.certificate());
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    try {
      ProcessMemory clientBefore = ProcessMemory.measure();
      ProcessMemory serverBefore = measureServer(serverIn, serverOut);
      List<OpampClient> clients = new ArrayList<>(connections);
      long started = System.nanoTime();
      openIdleConnections(group, clientTls, port, connections, clients);
      double openSeconds = (System.nanoTime() - started) / 1e9;
      Thread.sleep(3000);
      ProcessMemory clientAfter = ProcessMemory.measure();
      ProcessMemory serverAfter = measureServer(serverIn, serverOut);

      ProcessMemory.Growth client = clientAfter.since(clientBefore, connections);
      ProcessMemory.Growth serverGrowth = serverAfter.since(serverBefore, connections);
      System.out.printf("%d idle mTLS WebSocket connections opened in %.1f s (%.0f per second, with the first report)%n",
          connections, openSeconds, connections / openSeconds);
      System.out.println("bytes per idle connection   live heap   outside heap   (Netty direct)      total   target");
      row("server (other process)", serverGrowth, 16 * 1024);
      row("client (this JVM)", client, 20 * 1024);
      System.out.println("outside heap = growth of the resident set, less heap growth: OpenSSL, direct buffers, the rest");
      CompletableFuture.allOf(clients.stream().map(OpampClient::stop).toArray(CompletableFuture[]::new))
          .get(2, TimeUnit.MINUTES);

      // After the memory figures: the handshakes fill both sides' TLS session caches.
      System.out.printf("%nmTLS handshakes (TLS 1.3, ECDSA P-256, client certificates, %s), %d s each:%n", provider,
          RATE_DURATION.toSeconds());
      double sequential = HandshakeRate.measure(group, clientTls, port, RATE_DURATION, 1);
      double ours = HandshakeRate.measure(group, clientTls, port, RATE_DURATION, 4);
      double openssl = HandshakeRate.openssl(pki, RATE_DURATION);
      System.out.printf("  ours   (Netty client -> OpAMP server, one at a time): %8.0f per second%n", sequential);
      System.out.printf("  ours   (Netty client -> OpAMP server, 4 in flight):   %8.0f per second%n", ours);
      System.out.printf("  openssl s_time -new -> s_server (one at a time):      %8.0f per second%n", openssl);
      System.out.printf("  ratio ours / openssl: %.2f one at a time, %.2f with 4 in flight (target >= 0.80)%n",
          sequential / openssl, ours / openssl);
    } finally {
      serverIn.println("quit");
      serverProcess.waitFor(30, TimeUnit.SECONDS);
      serverProcess.destroyForcibly();
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private static void openIdleConnections(EventLoopGroup group, SslContext tls, int port, int connections,
      List<OpampClient> clients) throws InterruptedException {
    CountDownLatch connected = new CountDownLatch(connections);
    Semaphore window = new Semaphore(64);
    AgentDescription description = AgentDescription.newBuilder().addIdentifyingAttributes(KeyValue.newBuilder()
        .setKey("service.name").setValue(AnyValue.newBuilder().setStringValue("footprint-agent"))).build();
    for (int i = 0; i < connections; i++) {
      window.acquire();
      AtomicBoolean first = new AtomicBoolean(true);
      OpampClient client = OpampClient.builder()
          .endpoint(URI.create("wss://localhost:" + port + "/v1/opamp"))
          .eventLoopGroup(group)
          .tls(tls)
          .instanceUid(ByteString.copyFrom(ByteBuffer.allocate(16).putLong(0x019a_0000_0000_7000L).putLong(i).array()))
          .backoff(new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5), 2))
          .heartbeatInterval(Duration.ZERO)
          .callbacks(new ClientCallbacks() {
            @Override
            public void onConnect() {
              if (first.getAndSet(false)) {
                window.release();
                connected.countDown();
              }
            }
          })
          .build();
      client.setAgentDescription(description);
      client.start();
      clients.add(client);
    }
    if (!connected.await(10, TimeUnit.MINUTES)) {
      throw new IllegalStateException(connected.getCount() + " connections did not open within 10 minutes");
    }
  }

  private static void row(String side, ProcessMemory.Growth growth, int target) {
    System.out.printf("%-26s %9s %14s %14s %10s   <= %s%n", side, kib(growth.heap()), kib(growth.outsideHeap()),
        "(" + kib(growth.direct()) + ")", kib(growth.total()), kib(target));
  }

  private static String kib(long bytes) {
    return String.format("%.1f KiB", bytes / 1024.0);
  }

  private static ProcessMemory measureServer(PrintWriter in, BufferedReader out) throws Exception {
    in.println("measure");
    String line = out.readLine();
    return ProcessMemory.parse(line.substring("MEASURE ".length(), line.indexOf(" connections=")));
  }

  private static List<String> serverCommand(Path pki, SslProvider provider) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(arg -> arg.startsWith("-X")).toList());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), FootprintServer.class.getName(),
        pki.toString(), provider.name()));
    return command;
  }
}

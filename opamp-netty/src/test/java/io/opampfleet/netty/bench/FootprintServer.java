package io.opampfleet.netty.bench;

import io.netty.handler.ssl.SslProvider;
import io.opampfleet.certs.CertifiedKey;
import io.opampfleet.certs.Pem;
import io.opampfleet.certs.TlsContexts;
import io.opampfleet.netty.server.OpampServer;
import io.opampfleet.netty.server.ServerLimits;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The server side of the footprint benchmark, in a process of its own: an OpAMP server over mutual
 * TLS that answers "measure" on standard input with its memory, and stops at "quit".
 * Arguments: PKI directory, SSL provider (OPENSSL or JDK).
 */
public final class FootprintServer {
  private FootprintServer() {}

  public static void main(String[] args) throws Exception {
    Path pki = Path.of(args[0]);
    TlsContexts tls = new TlsContexts(SslProvider.valueOf(args[1]));
    CertifiedKey server = new CertifiedKey(Pem.readPrivateKey(pki.resolve("server.key")),
        Pem.readCertificate(pki.resolve("server.crt")), List.of());
    try (OpampServer opamp = OpampServer.builder()
        .bind(new InetSocketAddress("127.0.0.1", 0))
        .tls(tls.mutualTlsServer(server, Pem.readCertificate(pki.resolve("ca.crt"))))
        .limits(ServerLimits.defaults().withIdleTimeout(Duration.ZERO))
        .start()) {
      System.out.println("READY " + opamp.address().getPort());
      BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String command = commands.readLine(); command != null && !command.equals("quit"); command = commands.readLine()) {
        if (command.equals("measure")) {
          System.out.println("MEASURE " + ProcessMemory.measure().line() + " connections=" + opamp.openConnections());
        }
      }
    }
  }
}

package io.opampfleet.netty.server;

import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What the server knows of a connection before it accepts it: the transport asked for, the peer's
 * address and certificate chain (empty without mutual TLS), and the HTTP request's headers, where
 * authentication lives.
 */
public record ConnectionRequest(
    Transport transport, InetSocketAddress remoteAddress, HttpHeaders headers, List<X509Certificate> peerCertificates) {
  public ConnectionRequest {
    peerCertificates = List.copyOf(peerCertificates);
  }
}

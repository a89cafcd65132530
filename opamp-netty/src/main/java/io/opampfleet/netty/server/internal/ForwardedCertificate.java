package io.opampfleet.netty.server.internal;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.opampfleet.netty.server.Balancers;
import java.io.ByteArrayInputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The client certificate a balancer that ends TLS forwards in a request header: taken only on a
 * connection from a balancer's address (which checked it against the CA); the header from anyone
 * else is refused, so that no client can name itself another agent.
 */
final class ForwardedCertificate {
  private ForwardedCertificate() {}

  /** An answer instead of the request, with the reason. */
  static final class Refused extends Exception {
    private final HttpResponseStatus status;

    Refused(HttpResponseStatus status, String message) {
      super(message, null, false, false);
      this.status = status;
    }

    HttpResponseStatus status() {
      return status;
    }
  }

  /** The forwarded certificate; empty when none is configured or a balancer sent none. */
  static Optional<List<X509Certificate>> of(Channel channel, HttpHeaders headers, Balancers balancers) throws Refused {
    String name = balancers.clientCertificateHeader();
    if (name == null) {
      return Optional.empty();
    }
    String value = headers.get(name);
    boolean fromBalancer = ClientAddress.fromBalancer(channel);
    if (value == null) {
      // A balancer that ends TLS vouches for the client: with no certificate from it there is none.
      return fromBalancer ? Optional.of(List.of()) : Optional.empty();
    }
    if (!fromBalancer) {
      throw new Refused(HttpResponseStatus.FORBIDDEN, name + " is taken only from the balancers in front of this server");
    }
    try {
      return Optional.of(List.of(parse(value.trim())));
    } catch (CertificateException | IllegalArgumentException e) {
      throw new Refused(HttpResponseStatus.BAD_REQUEST, name + " does not hold a certificate (base64 DER or PEM)");
    }
  }

  private static X509Certificate parse(String value) throws CertificateException {
    String text = value.contains("%") ? URLDecoder.decode(value, StandardCharsets.US_ASCII) : value;
    byte[] der = text.startsWith("-----BEGIN")
        ? Base64.getMimeDecoder().decode(text.replaceAll("-----[A-Z ]+-----", ""))
        : Base64.getDecoder().decode(text);
    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
  }
}

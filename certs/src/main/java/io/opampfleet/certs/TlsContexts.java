package io.opampfleet.certs;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Netty {@link SslContext}s made from this PKI's certificates: a server that requires client
 * certificates, and a client that presents one and verifies the server's name. OpenSSL (through
 * netty-tcnative) where it loads, the JDK's TLS otherwise.
 */
public final class TlsContexts {
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private final SslProvider provider;

  public TlsContexts(SslProvider provider) {
    this.provider = provider;
  }

  /** OpenSSL when netty-tcnative loads on this machine, the JDK otherwise. */
  public static TlsContexts preferred() {
    return new TlsContexts(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK);
  }

  public SslProvider provider() {
    return provider;
  }

  /** A server that presents {@code server} and accepts only clients with a certificate from {@code clientCa}. */
  public SslContext mutualTlsServer(CertifiedKey server, X509Certificate clientCa) {
    return build(SslContextBuilder.forServer(server.privateKey(), server.chainArray())
        .trustManager(CaSignedClientTrust.of(clientCa))
        .clientAuth(ClientAuth.REQUIRE));
  }

  /** A server that presents {@code server} and asks clients for no certificate. */
  public SslContext tlsServer(CertifiedKey server) {
    return build(SslContextBuilder.forServer(server.privateKey(), server.chainArray()));
  }

  /**
   * A client that presents {@code client} and trusts servers certified by {@code serverCa} for the
   * host name it connects to (the handler must be made with the peer's host).
   */
  public SslContext mutualTlsClient(CertifiedKey client, X509Certificate serverCa) {
    return build(SslContextBuilder.forClient()
        .keyManager(client.privateKey(), client.chainArray())
        .trustManager(serverCa)
        .endpointIdentificationAlgorithm("HTTPS"));
  }

  /**
   * A client whose certificate {@code keys} chooses for each connection (by its engine), so that many
   * identities share one context: building a context per identity costs milliseconds each. A server
   * certificate accepted once for a host is not verified again for the next identity.
   */
  public SslContext mutualTlsClient(X509ExtendedKeyManager keys, X509Certificate serverCa) {
    SslContext context = build(SslContextBuilder.forClient()
        .keyManager(keys)
        .trustManager(new RememberedServerTrust(CaSignedClientTrust.jdkTrust(serverCa)))
        .endpointIdentificationAlgorithm("HTTPS"));
    // A session resumed from another identity's handshake would present that identity again.
    if (!(context.sessionContext() instanceof OpenSslSessionContext sessions)) {
      throw new PkiException("several client identities on one TLS context need OpenSSL (netty-tcnative): the"
          + " JDK's TLS cannot be kept from resuming one identity's session for another");
    }
    sessions.setSessionCacheEnabled(false);
    return context;
  }

  /** A client without a certificate of its own that trusts servers certified by {@code serverCa}. */
  public SslContext tlsClient(X509Certificate serverCa) {
    return build(SslContextBuilder.forClient()
        .trustManager(serverCa)
        .endpointIdentificationAlgorithm("HTTPS"));
  }

  private SslContext build(SslContextBuilder builder) {
    try {
      return builder.sslProvider(provider).protocols(PROTOCOLS).build();
    } catch (SSLException e) {
      throw new PkiException("could not set up TLS with " + provider + ": " + e.getMessage(), e);
    }
  }
}

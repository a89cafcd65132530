package io.opampfleet.server.internal;

import io.netty.handler.ssl.SslContext;
import io.opampfleet.certs.CertifiedKey;
import io.opampfleet.certs.Pem;
import io.opampfleet.certs.TlsContexts;
import io.opampfleet.server.settings.ServerSettings.Tls;
import io.opampfleet.strictyaml.ConfigException;
import java.security.cert.X509Certificate;
import java.util.List;

/** A listener's TLS from its PEM files: mutual when a client CA is given. */
public final class ServerTls {
  private ServerTls() {}

  public static SslContext context(String listener, Tls tls) {
    try {
      List<X509Certificate> chain = Pem.readCertificates(tls.certFile());
      CertifiedKey key = new CertifiedKey(Pem.readPrivateKey(tls.keyFile()), chain.get(0),
          chain.subList(1, chain.size()));
      TlsContexts contexts = TlsContexts.preferred();
      return tls.clientCaFile().isPresent()
          ? contexts.mutualTlsServer(key, Pem.readCertificate(tls.clientCaFile().get()))
          : contexts.tlsServer(key);
    } catch (RuntimeException e) {
      throw new ConfigException(listener + "::tls: " + e.getMessage());
    }
  }
}

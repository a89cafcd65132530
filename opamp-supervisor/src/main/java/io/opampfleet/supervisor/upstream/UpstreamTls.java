package io.opampfleet.supervisor.upstream;

import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.opampfleet.strictyaml.ConfigException;
import io.opampfleet.supervisor.config.SupervisorConfig.Tls;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/** The client TLS of server::tls, for wss and https endpoints, as the collector's configtls reads it. */
public final class UpstreamTls {
  private UpstreamTls() {}

  public static SslContext context(Tls tls) {
    try {
      return builder(tls).build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new ConfigException("server::tls: " + e.getMessage());
    }
  }

  /** The same settings as a JDK SSLContext, for the JDK's HTTP client (package downloads). */
  public static SSLContext jdkContext(Tls tls) {
    try {
      return ((JdkSslContext) builder(tls).sslProvider(SslProvider.JDK).build()).context();
    } catch (SSLException | IllegalArgumentException e) {
      throw new ConfigException("server::tls: " + e.getMessage());
    }
  }

  private static SslContextBuilder builder(Tls tls) {
    SslContextBuilder builder = SslContextBuilder.forClient().protocols(protocols(tls));
    if (tls.insecureSkipVerify()) {
      builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
    } else {
      builder.endpointIdentificationAlgorithm("HTTPS");
      if (!tls.caFile().isEmpty()) {
        builder.trustManager(new File(tls.caFile()));
      } else if (!tls.caPem().isEmpty()) {
        builder.trustManager(pem(tls.caPem()));
      }
    }
    if (!tls.certFile().isEmpty()) {
      builder.keyManager(new File(tls.certFile()), new File(tls.keyFile()));
    } else if (!tls.certPem().isEmpty()) {
      builder.keyManager(pem(tls.certPem()), pem(tls.keyPem()));
    }
    return builder;
  }

  private static String[] protocols(Tls tls) {
    return "1.3".equals(tls.minVersion()) ? new String[] {"TLSv1.3"} : new String[] {"TLSv1.3", "TLSv1.2"};
  }

  private static InputStream pem(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
  }
}

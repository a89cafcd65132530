package io.opampfleet.harness.e2e;

import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.CertifiedKey;
import io.opampfleet.certs.KeyAlgorithm;
import io.opampfleet.certs.Pem;
import io.opampfleet.certs.ServerNames;
import io.opampfleet.certs.Validity;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The PKI of one run, as production has it: a CA, a server certificate for the server's name on
 * the container network and for localhost (the tests reach it through mapped ports), and a client
 * certificate per agent.
 */
public final class FleetPki {
  /** Client certificates end within this many days... */
  public static final int CLIENT_DAYS = 30;
  /** ...inside this rotation window (a Go duration, for supervisor.yaml)... */
  public static final String ROTATE_BEFORE = "2000h";
  /** ...and the server signs certificates that outlast it, so a renewed one is not renewed again. */
  public static final String SIGNED_VALIDITY = "2400h";

  private final CertificateAuthority ca = CertificateAuthority.create("e2e fleet CA", KeyAlgorithm.EC_P256,
      Validity.days(365));
  private final CertifiedKey server = ca.issueServer(
      new ServerNames(List.of(FleetServerContainer.ALIAS, "localhost"), List.of("127.0.0.1")), Validity.days(2));

  public CertificateAuthority ca() {
    return ca;
  }

  public String caPem() {
    return Pem.encode(ca.certificate());
  }

  public String caKeyPem() {
    return Pem.encode(ca.certifiedKey().privateKey());
  }

  public String serverCertPem() {
    return Pem.encode((Object[]) server.chainArray());
  }

  public String serverKeyPem() {
    return Pem.encode(server.privateKey());
  }

  /** A client certificate naming {@code identity}. */
  public CertifiedKey client(String identity) {
    return ca.issueClient(identity, Validity.days(CLIENT_DAYS));
  }

  /** TLS for the tests' own HTTPS calls: trusts this CA alone. */
  public SSLContext trust() {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setCertificateEntry("ca", ca.certificate());
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot trust the e2e CA: " + e.getMessage(), e);
    }
  }
}

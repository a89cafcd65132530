package io.opampfleet.harness.loadtest;

import io.netty.handler.ssl.SslContext;
import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.CertifiedKey;
import io.opampfleet.certs.Pem;
import io.opampfleet.certs.PkiException;
import io.opampfleet.certs.TlsContexts;
import io.opampfleet.certs.Validity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The agents' client certificates: one pair for all, or one per agent minted with the CA's key
 * (subject = the agent's uid) and cached on disk for the next run.
 */
final class AgentCertificates {
  private final X509Certificate serverCa;
  private final CertifiedKey shared;
  private final CertificateAuthority ca;
  private final Path cache;
  private final TlsContexts contexts = TlsContexts.preferred();
  private final SslContext sharedContext;

  private AgentCertificates(X509Certificate serverCa, CertifiedKey shared, CertificateAuthority ca, Path cache) {
    this.serverCa = serverCa;
    this.shared = shared;
    this.ca = ca;
    this.cache = cache;
    this.sharedContext = shared == null ? null : contexts.mutualTlsClient(shared, serverCa);
  }

  /** @throws LoadtestException naming the file that is missing or unreadable */
  static AgentCertificates of(Path caFile, Path cert, Path key, Path caKey, Path cache) {
    try {
      X509Certificate serverCa = Pem.readCertificate(caFile);
      if (caKey != null) {
        return new AgentCertificates(serverCa, null, CertificateAuthority.of(serverCa, Pem.readPrivateKey(caKey)), cache);
      }
      if (cert == null || key == null) {
        throw new LoadtestException("give --cert and --key for all agents, or --ca-key to mint one certificate per agent");
      }
      List<X509Certificate> chain = Pem.readCertificates(cert);
      return new AgentCertificates(serverCa, new CertifiedKey(Pem.readPrivateKey(key), chain.get(0),
          chain.subList(1, chain.size())), null, null);
    } catch (PkiException e) {
      throw new LoadtestException(e.getMessage());
    }
  }

  /** The TLS context of the agent with this uid. */
  SslContext forAgent(String uid) {
    if (sharedContext != null) {
      return sharedContext;
    }
    return contexts.mutualTlsClient(minted(uid), serverCa);
  }

  private CertifiedKey minted(String uid) {
    Path crt = cache.resolve(uid + ".crt");
    Path key = cache.resolve(uid + ".key");
    if (Files.exists(crt) && Files.exists(key)) {
      List<X509Certificate> chain = Pem.readCertificates(crt);
      return new CertifiedKey(Pem.readPrivateKey(key), chain.get(0), chain.subList(1, chain.size()));
    }
    CertifiedKey issued = ca.issueClient(uid, Validity.days(30));
    Pem.write(key, issued.privateKey());
    Pem.write(crt, (Object[]) issued.chainArray());
    return issued;
  }
}

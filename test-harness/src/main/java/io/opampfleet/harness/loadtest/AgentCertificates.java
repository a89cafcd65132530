package io.opampfleet.harness.loadtest;

import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.SslContext;
import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.CertifiedKey;
import io.opampfleet.certs.Pem;
import io.opampfleet.certs.PkiException;
import io.opampfleet.certs.TlsContexts;
import io.opampfleet.certs.Validity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLEngine;

/**
 * The agents' client certificates: one pair for all, or one per agent minted with the CA's key
 * (subject = the agent's uid) and cached on disk for the next run, in a directory of that CA's (a
 * server of another dev PKI would refuse those of the last), and minted again a day before they end.
 * Every agent's connections share one TLS context; each presents its own agent's key.
 */
final class AgentCertificates {
  /** A cached certificate with less time than this left is minted again: a run may take hours. */
  private static final Duration RENEW_BEFORE = Duration.ofDays(1);
  private final X509Certificate serverCa;
  private final CertificateAuthority ca;
  private final Path cache;
  private final AgentKeys keys = new AgentKeys();
  private final SslContext sharedContext;

  private AgentCertificates(X509Certificate serverCa, CertifiedKey shared, CertificateAuthority ca, Path cache) {
    this.serverCa = serverCa;
    this.ca = ca;
    this.cache = cache;
    TlsContexts contexts = TlsContexts.preferred();
    this.sharedContext = shared == null ? contexts.mutualTlsClient(keys, serverCa)
        : contexts.mutualTlsClient(shared, serverCa);
  }

  /** @throws LoadtestException naming the file that is missing or unreadable */
  static AgentCertificates of(Path caFile, Path cert, Path key, Path caKey, Path cache) {
    try {
      X509Certificate serverCa = Pem.readCertificate(caFile);
      if (caKey != null) {
        return new AgentCertificates(serverCa, null, CertificateAuthority.of(serverCa, Pem.readPrivateKey(caKey)),
            cache.resolve(fingerprint(serverCa)));
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

  /**
   * Reads or mints the certificates of these agents on every core, before any connects, so that the
   * ramp is not held up by them; says how long it took. Nothing to do with one pair for all.
   */
  void prepare(List<String> uids) {
    if (ca == null) {
      return;
    }
    try {
      Files.createDirectories(cache);
    } catch (IOException e) {
      throw new LoadtestException("cannot create the certificate cache " + cache + ": " + e.getMessage());
    }
    long started = System.nanoTime();
    AtomicInteger minted = new AtomicInteger();
    uids.parallelStream().forEach(uid -> keys.put(uid, readOrMint(uid, minted)));
    System.out.printf("loadtest: %,d client certificates ready in %.1f s (%,d minted, the rest read from %s)%n",
        keys.size(), (System.nanoTime() - started) / 1e9, minted.get(), cache);
  }

  /** The TLS context of the agent with this uid: the shared one, presenting its key. */
  SslContext forAgent(String uid) {
    if (ca == null) {
      return sharedContext;
    }
    if (!keys.has(uid)) {
      keys.put(uid, readOrMint(uid, new AtomicInteger()));
    }
    return new DelegatingSslContext(sharedContext) {
      @Override
      protected void initEngine(SSLEngine engine) {
        keys.assign(engine, uid);
      }
    };
  }

  private CertifiedKey readOrMint(String uid, AtomicInteger minted) {
    Path crt = cache.resolve(uid + ".crt");
    Path key = cache.resolve(uid + ".key");
    if (Files.exists(crt) && Files.exists(key)) {
      List<X509Certificate> chain = Pem.readCertificates(crt);
      if (chain.get(0).getNotAfter().toInstant().isAfter(Instant.now().plus(RENEW_BEFORE))) {
        return new CertifiedKey(Pem.readPrivateKey(key), chain.get(0), chain.subList(1, chain.size()));
      }
    }
    CertifiedKey issued = ca.issueClient(uid, Validity.days(30));
    Pem.write(key, issued.privateKey());
    Pem.write(crt, (Object[]) issued.chainArray());
    minted.incrementAndGet();
    return issued;
  }

  /** The first 16 hex digits of the SHA-256 of the CA's certificate: the name of its cache directory. */
  static String fingerprint(X509Certificate ca) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ca.getEncoded()), 0, 8);
    } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
      throw new LoadtestException("the CA certificate cannot be read again: " + e.getMessage());
    }
  }
}

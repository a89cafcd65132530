package io.opampfleet.harness.loadtest;

import io.opampfleet.certs.CertifiedKey;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The client keys of many agents behind one TLS context: each connection's engine is told whose it
 * is when made, and its handshake presents that agent's certificate. The JDK has no key manager that
 * picks a key by connection, so this one is written here.
 */
final class AgentKeys extends X509ExtendedKeyManager {
  private final Map<String, CertifiedKey> keys = new ConcurrentHashMap<>();
  // Weak: an engine whose connection never got to its handshake is forgotten with it.
  private final Map<SSLEngine, String> owners = Collections.synchronizedMap(new WeakHashMap<>());

  void put(String uid, CertifiedKey key) {
    keys.put(uid, key);
  }

  boolean has(String uid) {
    return keys.containsKey(uid);
  }

  int size() {
    return keys.size();
  }

  /** The engine of a connection of this agent's. */
  void assign(SSLEngine engine, String uid) {
    owners.put(engine, uid);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return owners.get(engine);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    CertifiedKey key = alias == null ? null : keys.get(alias);
    return key == null ? null : key.chainArray();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    CertifiedKey key = alias == null ? null : keys.get(alias);
    return key == null ? null : key.privateKey();
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return keys.keySet().toArray(String[]::new);
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return null;  // connections here are engines, never sockets
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return null;
  }
}

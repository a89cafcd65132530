package io.opampfleet.server.internal.api;

import io.opampfleet.server.internal.api.ApiRequest.Principal;
import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.store.TokenRepository.StoredToken;
import io.opampfleet.server.internal.store.TokenRepository;
import io.opampfleet.server.settings.ServerSettings.TokenEntry;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bearer tokens and their roles, from server.yaml and from the store, known by the SHA-256 of the
 * secret only. A server with no token at all makes one admin token on first start.
 */
public final class Tokens {
  private static final Logger log = LoggerFactory.getLogger(Tokens.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final TokenRepository repository;
  private final Map<String, Principal> configured = new HashMap<>();
  /** The store's tokens as last read: again whenever a server sharing the store adds or deletes one. */
  private volatile Map<String, Principal> stored;

  public Tokens(List<TokenEntry> configured, TokenRepository repository) {
    this.repository = repository;
    configured.forEach(t -> this.configured.put(t.sha256(), new Principal(t.name(), Role.parse(t.role()))));
    reload();
  }

  /** Reads the store's tokens again. */
  public synchronized void reload() {
    Map<String, Principal> read = new HashMap<>();
    repository.all().forEach(t -> read.put(t.sha256(), new Principal(t.name(), Role.parse(t.role()))));
    stored = Map.copyOf(read);
  }

  /** This server's own change, taken at once, whether or not the store can be read back now. */
  private synchronized void change(Consumer<Map<String, Principal>> edit) {
    Map<String, Principal> changed = new HashMap<>(stored);
    edit.accept(changed);
    stored = Map.copyOf(changed);
    try {
      reload();
    } catch (RuntimeException e) {
      log.warn("tokens: cannot read the store's tokens back now ({}); the next repair does", e.getMessage());
    }
  }

  /** Makes the first admin token when there is none; returns its secret, to be shown once. */
  public Optional<String> bootstrap() {
    if (!configured.isEmpty() || !stored.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(create("admin", Role.ADMIN));
  }

  /** Stores a new token and returns its secret, which is not kept anywhere. */
  public String create(String name, Role role) {
    if (list().stream().anyMatch(p -> p.name().equals(name))) {
      throw new ApiException(409, "a token named '" + name + "' exists; pick another name or delete it first");
    }
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String token = "ofl_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    String hash = ConfigVersion.sha256(token);
    repository.add(new StoredToken(name, role.label(), hash));
    change(tokens -> tokens.put(hash, new Principal(name, role)));
    return token;
  }

  public boolean delete(String name) {
    boolean deleted = repository.delete(name);
    change(tokens -> tokens.values().removeIf(principal -> principal.name().equals(name)));
    return deleted;
  }

  public List<Principal> list() {
    return Stream.concat(configured.values().stream(), stored.values().stream())
        .sorted((a, b) -> a.name().compareTo(b.name())).toList();
  }

  /** The caller of an {@code Authorization: Bearer ...} header, if the token is known. */
  public Optional<Principal> authenticate(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String hash = ConfigVersion.sha256(authorization.substring(7).trim());
    // Looked up by hash: timing tells nothing about the secret itself.
    Principal principal = configured.get(hash);
    return Optional.ofNullable(principal != null ? principal : stored.get(hash));
  }
}

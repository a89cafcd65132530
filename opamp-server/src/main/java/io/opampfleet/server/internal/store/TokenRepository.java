package io.opampfleet.server.internal.store;

import java.util.List;

/** API tokens kept in the store, by the SHA-256 of their secret; the secret itself is never stored. */
public final class TokenRepository {
  /** Told when a token is added or deleted: servers sharing the store read them again. */
  public static final String CHANNEL = "api_tokens";

  public record StoredToken(String name, String role, String sha256) {}

  private final Sql sql;

  public TokenRepository(Database database) {
    this.sql = new Sql(database);
  }

  public List<StoredToken> all() {
    return sql.query("SELECT name, role, sha256 FROM api_tokens ORDER BY name",
        row -> new StoredToken(row.getString(1), row.getString(2), row.getString(3)));
  }

  public void add(StoredToken token) {
    sql.updateAndTell(CHANNEL, "INSERT INTO api_tokens (name, role, sha256, created_at) VALUES (?, ?, ?, ?)",
        token.name(), token.role(), token.sha256(), System.currentTimeMillis());
  }

  public boolean delete(String name) {
    return sql.updateAndTell(CHANNEL, "DELETE FROM api_tokens WHERE name = ?", name) > 0;
  }
}

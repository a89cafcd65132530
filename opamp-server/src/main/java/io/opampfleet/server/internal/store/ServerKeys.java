package io.opampfleet.server.internal.store;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Secret keys the servers sharing the store agree on: made by the first that needs one, read by the rest. */
public final class ServerKeys {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Sql sql;

  public ServerKeys(Database database) {
    this.sql = new Sql(database);
  }

  /** The key of this name, made now (32 random bytes) when no server made it yet. */
  public byte[] key(String name) {
    for (int attempt = 0; attempt < 2; attempt++) {
      var stored = sql.query("SELECT key_value FROM server_keys WHERE name = ?", row -> row.getString(1), name);
      if (!stored.isEmpty()) {
        return HexFormat.of().parseHex(stored.get(0));
      }
      byte[] key = new byte[32];
      RANDOM.nextBytes(key);
      try {
        sql.update("INSERT INTO server_keys (name, key_value) VALUES (?, ?)", name, HexFormat.of().formatHex(key));
        return key;
      } catch (StoreException anotherServerMadeIt) {
        // Two servers starting at once: the one that inserted first wins, the other reads its key.
      }
    }
    throw new IllegalStateException("cannot make or read the server key " + name);
  }
}

package io.opampfleet.server.bench;

import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.store.ConfigRepository;
import io.opampfleet.server.internal.store.Database;
import io.opampfleet.server.settings.ServerSettings.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/**
 * How a long config history weighs on adding a version and on the configs listing, on the embedded
 * store: the server's queries next to the ones it used before (MAX(version) of the config, and a
 * listing that grouped every version of every config), on the same rows in the same run.
 *
 * <p>Run with {@code scripts/store-benchmark configs [configs] [versions each]}.
 */
public final class ConfigHistoryBenchmark {
  private static final String BODY = "receivers: {otlp: {}}\n";
  private static final int ADDS = 200;
  private static final int LISTINGS = 5;
  private static final String LISTING_BEFORE = "SELECT v.config_name, v.version, v.body FROM config_versions v"
      + " JOIN (SELECT config_name, MAX(version) AS latest FROM config_versions GROUP BY config_name) m"
      + " ON v.config_name = m.config_name AND v.version = m.latest ORDER BY v.config_name";

  public static void main(String[] args) throws Exception {
    int configs = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
    int versions = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int longHistory = args.length > 2 ? Integer.parseInt(args[2]) : 50_000;
    System.out.printf("config-history benchmark: %,d configs of %,d versions, then one of %,d; %d cores, the embedded"
        + " store%n", configs, versions, longHistory, Runtime.getRuntime().availableProcessors());
    Path dir = Files.createTempDirectory("config-history-benchmark");
    try (Database database = Database.open(new Storage(dir, Optional.empty(), "", "", "bench"))) {
      ConfigRepository repository = new ConfigRepository(database);
      for (int c = 0; c < configs; c++) {
        fill(database, "config-" + c, versions);
      }
      double listingBefore = listingAsBefore(database);
      long start = System.nanoTime();
      for (int i = 0; i < LISTINGS; i++) {
        repository.addVersion("config-0", BODY, "bench", "");
        repository.latestVersions();
      }
      double listingNow = (System.nanoTime() - start) / 1e6 / LISTINGS;
      System.out.printf("listing %,d configs' latest versions: before %,8.1f ms | now %,8.1f ms (%.1f times)%n",
          configs, listingBefore, listingNow, listingBefore / listingNow);

      // Added after the listings: the listing before read a config's versions once for each of them.
      fill(database, "long", longHistory);
      double addsBefore = addsAsBefore(database);
      start = System.nanoTime();
      for (int i = 0; i < ADDS; i++) {
        repository.addVersion("long", BODY, "bench", "");
      }
      double addsNow = ADDS / ((System.nanoTime() - start) / 1e9);
      System.out.printf("adding a version to a config of %,d: before %,8.0f /s | now %,8.0f /s (%.1f times)%n",
          longHistory, addsBefore, addsNow, addsNow / addsBefore);
    } finally {
      StoreBenchmark.deleteStore(dir);
    }
  }

  private static void fill(Database database, String name, int versions) throws Exception {
    try (Connection connection = database.connection();
         PreparedStatement config = connection.prepareStatement("INSERT INTO configs (name, created_at) VALUES (?, 0)");
         PreparedStatement version = connection.prepareStatement("INSERT INTO config_versions (config_name, version,"
             + " body, sha256, author, comment, created_at) VALUES (?, ?, ?, ?, 'bench', '', 0)")) {
      connection.setAutoCommit(false);
      config.setString(1, name);
      config.executeUpdate();
      for (int v = 1; v <= versions; v++) {
        version.setString(1, name);
        version.setInt(2, v);
        version.setString(3, BODY);
        version.setString(4, ConfigVersion.sha256(BODY));
        version.addBatch();
        if (v % 10_000 == 0 || v == versions) {
          version.executeBatch();
        }
      }
      database.commitDurably(connection);
    }
  }

  /** Adds as the server did before: the config's MAX(version), then the next, each forced to disk. */
  private static double addsAsBefore(Database database) throws Exception {
    long start = System.nanoTime();
    try (Connection connection = database.connection();
         PreparedStatement latest = connection.prepareStatement(
             "SELECT MAX(version) FROM config_versions WHERE config_name = 'long'");
         PreparedStatement insert = connection.prepareStatement("INSERT INTO config_versions (config_name, version,"
             + " body, sha256, author, comment, created_at) VALUES ('long', ?, ?, ?, 'bench', '', 0)")) {
      connection.setAutoCommit(false);
      for (int i = 0; i < ADDS; i++) {
        int next;
        try (ResultSet row = latest.executeQuery()) {
          row.next();
          next = row.getInt(1) + 1;
        }
        insert.setInt(1, next);
        insert.setString(2, BODY);
        insert.setString(3, ConfigVersion.sha256(BODY));
        insert.executeUpdate();
        database.commitDurably(connection);
      }
    }
    return ADDS / ((System.nanoTime() - start) / 1e9);
  }

  /** Milliseconds per listing as the server read it before, each after a new version (H2 caches a result). */
  private static double listingAsBefore(Database database) throws Exception {
    ConfigRepository repository = new ConfigRepository(database);
    long start = System.nanoTime();
    try (Connection connection = database.connection();
         PreparedStatement listing = connection.prepareStatement(LISTING_BEFORE)) {
      for (int i = 0; i < LISTINGS; i++) {
        repository.addVersion("config-0", BODY, "bench", "");
        try (ResultSet rows = listing.executeQuery()) {
          while (rows.next()) {
            rows.getString(3);
          }
        }
      }
    }
    return (System.nanoTime() - start) / 1e6 / LISTINGS;
  }
}

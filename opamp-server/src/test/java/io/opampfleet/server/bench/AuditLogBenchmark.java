package io.opampfleet.server.bench;

import io.opampfleet.server.internal.store.AuditLog;
import io.opampfleet.server.internal.store.Database;
import io.opampfleet.server.settings.ServerSettings.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/**
 * Reading a page of one actor's entries in a long audit log, newest first, on the embedded store: the
 * server's query next to the one it used before (ordered by time alone, which H2 sorted all of the
 * actor's entries for), on the same entries in the same run; and a page of the whole log.
 *
 * <p>Run with {@code scripts/store-benchmark audit [entries]}.
 */
public final class AuditLogBenchmark {
  private static final int PAGES = 50;
  private static final int PAGE = 100;
  private static final String[] ACTORS = {"ci", "alice", "bob", "deploy-bot"};
  private static final String ACTOR_PAGE_BEFORE = "SELECT id, at, actor, role, action, object, status, request,"
      + " before_json, after_json FROM audit_log WHERE actor = ? ORDER BY at DESC, id DESC FETCH FIRST " + PAGE
      + " ROWS ONLY";

  public static void main(String[] args) throws Exception {
    int entries = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    System.out.printf("audit-log benchmark: %,d entries by %d actors, pages of %d newest first; %d cores, the"
        + " embedded store%n", entries, ACTORS.length, PAGE, Runtime.getRuntime().availableProcessors());
    Path dir = Files.createTempDirectory("audit-log-benchmark");
    try (Database database = Database.open(new Storage(dir, Optional.empty(), "", "", "bench"))) {
      fill(database, entries);
      AuditLog log = new AuditLog(database);
      AuditLog.Filter all = new AuditLog.Filter("", "", 0, 0, PAGE);
      AuditLog.Filter ci = new AuditLog.Filter("ci", "", 0, 0, PAGE);
      long before = 0;
      long now = 0;
      long whole = 0;
      for (int i = 0; i < PAGES; i++) {
        before += timed(log, () -> actorPageAsBefore(database));
        now += timed(log, () -> log.find(ci).size());
        whole += timed(log, () -> log.find(all).size());
      }
      System.out.printf("a page of one actor's entries (%d%% of them): before %,8.2f ms | now %,8.2f ms (%.1f"
          + " times)%n", 100 / ACTORS.length, before / 1e6 / PAGES, now / 1e6 / PAGES, (double) before / now);
      System.out.printf("a page of the whole log: %,8.2f ms%n", whole / 1e6 / PAGES);
    } finally {
      StoreBenchmark.deleteStore(dir);
    }
  }

  private interface Page {
    int read() throws Exception;
  }

  /**
   * Nanoseconds a page takes to read, after a change as on a live server: H2 gives a query on a table
   * unchanged since its last run that run's result.
   */
  private static long timed(AuditLog log, Page page) throws Exception {
    log.append(new AuditLog.Entry(0, System.currentTimeMillis(), "ci", "admin", "PUT", "/api/v1/configs/x", 200,
        null, null, null));
    long start = System.nanoTime();
    if (page.read() != PAGE) {
      throw new IllegalStateException("a page came back short");
    }
    return System.nanoTime() - start;
  }

  private static int actorPageAsBefore(Database database) throws Exception {
    try (Connection connection = database.connection();
         PreparedStatement select = connection.prepareStatement(ACTOR_PAGE_BEFORE)) {
      select.setString(1, "ci");
      int rows = 0;
      try (ResultSet found = select.executeQuery()) {
        while (found.next()) {
          rows++;
        }
      }
      return rows;
    }
  }

  private static void fill(Database database, int entries) throws Exception {
    try (Connection connection = database.connection();
         PreparedStatement insert = connection.prepareStatement("INSERT INTO audit_log (at, actor, role, action,"
             + " object, status, request, before_json, after_json) VALUES (?, ?, 'admin', 'PUT', ?, 200, ?, NULL,"
             + " NULL)")) {
      connection.setAutoCommit(false);
      for (int i = 0; i < entries; i++) {
        // A second holds several entries: the id orders those of the same time.
        insert.setLong(1, 1_700_000_000_000L + i / 4 * 1000L);
        insert.setString(2, ACTORS[i % ACTORS.length]);
        insert.setString(3, "/api/v1/configs/config-" + i % 500);
        insert.setString(4, "{\"body\":\"receivers: {otlp: {}}\"}");
        insert.addBatch();
        if ((i + 1) % 10_000 == 0 || i == entries - 1) {
          insert.executeBatch();
        }
      }
      connection.commit();
    }
  }
}

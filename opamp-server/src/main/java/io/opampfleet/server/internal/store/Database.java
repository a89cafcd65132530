package io.opampfleet.server.internal.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.opampfleet.server.settings.ServerSettings.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.Properties;
import org.flywaydb.core.Flyway;

/**
 * The store's connection pool with the schema migrated: embedded H2 in the data directory, or
 * PostgreSQL by JDBC URL. Both take the same migrations; only the upsert statement differs.
 */
public final class Database implements AutoCloseable {
  private final HikariDataSource pool;
  private volatile boolean answering = true;
  private final Dialect dialect;

  private Database(HikariDataSource pool, Dialect dialect) {
    this.pool = pool;
    this.dialect = dialect;
  }

  /** @throws StoreException when the store cannot be opened or migrated, with the reason */
  public static Database open(Storage storage) {
    HikariConfig config = new HikariConfig();
    Dialect dialect;
    if (storage.jdbcUrl().isPresent()) {
      config.setJdbcUrl(storage.jdbcUrl().get());
      config.setUsername(storage.username());
      config.setPassword(storage.password());
      // A store that stops answering fails a call within a minute rather than holding its thread for ever.
      config.addDataSourceProperty("connectTimeout", "5");
      config.addDataSourceProperty("socketTimeout", "60");
      dialect = Dialect.POSTGRESQL;
    } else {
      Path dir = storage.dataDir().toAbsolutePath().normalize();
      try {
        Files.createDirectories(dir);
      } catch (java.io.IOException e) {
        throw new StoreException("cannot create the data directory " + dir + ": " + e.getMessage(), e);
      }
      // The server closes the store itself on shutdown, after the last writes are flushed. H2 keeps
      // its write delay: its background writer is also what rewrites half-empty chunks, and without it
      // (WRITE_DELAY=0) the file grew to 2 GB for 20 MB of data in an hour. commitDurably writes and
      // forces every batch that is answered for. H2 also keeps its 45 s retention of written chunks:
      // with one second the file stayed a third as large, but a kill -9 lost reports already answered.
      config.setJdbcUrl("jdbc:h2:file:" + dir.resolve("fleet") + ";DB_CLOSE_ON_EXIT=FALSE");
      config.setUsername("sa");
      dialect = Dialect.H2;
    }
    // The writer, the rollout engine, the presence lease, the signal listener (one held for good),
    // the followers, the admin workers and agents' command lookups each take one now and then.
    config.setMaximumPoolSize(16);
    // Waiting for a connection ends in a few seconds: an outage answers 503 soon, and the writers retry.
    config.setConnectionTimeout(5_000);
    config.setValidationTimeout(2_000);
    config.setPoolName("store");
    config.setInitializationFailTimeout(-1);
    HikariDataSource pool = new HikariDataSource(config);
    try {
      Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
    } catch (RuntimeException e) {
      pool.close();
      throw new StoreException("cannot open the store at " + describe(storage) + ": " + rootCause(e), e);
    }
    return new Database(pool, dialect);
  }

  /**
   * A connection from the pool; while the {@link StoreProbe} finds the store unreachable, a
   * failure at once: each caller would otherwise wait seconds on the pool for a connection that
   * cannot answer (an operator's read, the metrics), and the writers retry anyway.
   */
  public Connection connection() throws SQLException {
    if (!answering) {
      throw new SQLTransientConnectionException("the store is not answering", "08001");
    }
    return pool.getConnection();
  }

  /**
   * A connection of the probe's own, outside the pool: a pool whose connections are all busy is not
   * a store that is away, and the probe must not wait behind them. It gives up within seconds.
   */
  Connection probeConnection() throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", pool.getUsername());
    properties.setProperty("password", pool.getPassword() == null ? "" : pool.getPassword());
    if (dialect == Dialect.POSTGRESQL) {
      properties.setProperty("connectTimeout", "2");
      properties.setProperty("socketTimeout", "2");
    }
    return DriverManager.getConnection(pool.getJdbcUrl(), properties);
  }

  void answering(boolean answering) {
    if (answering && !this.answering && pool.getHikariPoolMXBean() != null) {
      // Connections made before the outage may be dead or stuck: new ones, rather than each caller
      // finding out in its turn (a validation timeout per idle connection).
      pool.getHikariPoolMXBean().softEvictConnections();
    }
    this.answering = answering;
  }

  /**
   * Commits and returns once the transaction is on the disk, so that a process killed right after
   * loses none of it. PostgreSQL does so by itself (synchronous_commit); the embedded H2 writes its
   * file only after its write delay and leaves it to the operating system, so the changes are
   * written and the file forced here: one fsync per batch of changes, the group commit that makes
   * "answered" mean "stored".
   */
  public void commitDurably(Connection connection) throws SQLException {
    connection.commit();
    if (dialect == Dialect.H2) {
      try (Statement sync = connection.createStatement()) {
        sync.execute("CHECKPOINT SYNC");
      }
    }
  }

  public Dialect dialect() {
    return dialect;
  }

  @Override
  public void close() {
    pool.close();
  }

  private static String describe(Storage storage) {
    return storage.jdbcUrl().orElse(storage.dataDir().toString());
  }

  private static String rootCause(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.getMessage();
  }
}

package io.opampfleet.server.fleet;

import io.opampfleet.peers.PostgresContainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Servers a and b sharing one PostgreSQL in a container, started before each test and stopped after
 * it: register it with {@code @RegisterExtension}.
 */
public final class SharedStore implements BeforeEachCallback, AfterEachCallback, AutoCloseable {
  private final PostgresContainer postgres = new PostgresContainer();
  private final UnaryOperator<TestFleet> setup;
  private Path dir;
  private TestFleet a;
  private TestFleet b;

  /** @param setup applied to each server before it starts */
  public SharedStore(UnaryOperator<TestFleet> setup) {
    this.setup = setup;
  }

  public SharedStore() {
    this(UnaryOperator.identity());
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    dir = Files.createTempDirectory("shared-store");
    postgres.start();
    a = setup.apply(new TestFleet(dir.resolve("a"), Optional.of(postgres.jdbcUrl()))).start();
    b = setup.apply(new TestFleet(dir.resolve("b"), Optional.of(postgres.jdbcUrl()))).start();
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    close();
    try (var files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    }
  }

  public TestFleet a() {
    return a;
  }

  public TestFleet b() {
    return b;
  }

  public String jdbcUrl() {
    return postgres.jdbcUrl();
  }

  /** A connection of the test's own to the store both servers share, to look at what they wrote. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(postgres.jdbcUrl(), postgres.username(), postgres.password());
  }

  @Override
  public void close() {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
    postgres.stop();
  }
}

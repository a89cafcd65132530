package io.opampfleet.server.fleet;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** Servers a and b sharing one PostgreSQL in a container, started and stopped together. */
public final class SharedStore implements AutoCloseable {
  private final PostgresContainer postgres = new PostgresContainer();
  private TestFleet a;
  private TestFleet b;

  /** Starts PostgreSQL and both servers, each set up by {@code setup} (in directories a and b of {@code dir}). */
  public SharedStore start(Path dir, UnaryOperator<TestFleet> setup) {
    postgres.start();
    a = setup.apply(new TestFleet(dir.resolve("a"), Optional.of(postgres.jdbcUrl()))).start();
    b = setup.apply(new TestFleet(dir.resolve("b"), Optional.of(postgres.jdbcUrl()))).start();
    return this;
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

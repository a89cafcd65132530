package io.opampfleet.server;

import io.opampfleet.peers.PostgresContainer;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The same fleet scenarios with the store on a real PostgreSQL instead of the embedded H2. */
class FleetServerOnPostgresIT extends FleetServerIT {
  private static final PostgresContainer postgres = new PostgresContainer();

  @BeforeAll
  static void startPostgres() {
    postgres.start();
  }

  @AfterAll
  static void stopPostgres() {
    postgres.stop();
  }

  @Override
  protected Optional<String> jdbcUrl() {
    postgres.emptyDatabase();
    return Optional.of(postgres.jdbcUrl());
  }
}

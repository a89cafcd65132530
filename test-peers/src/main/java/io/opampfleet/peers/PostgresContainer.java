package io.opampfleet.peers;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/** A real PostgreSQL 15 from the locally built image, with one database for the fleet. */
public final class PostgresContainer extends GenericContainer<PostgresContainer> {
  public static final String IMAGE = "local/postgres15:2";
  private static final int PORT = 5432;
  private static final String USER = "fleet";
  private static final String PASSWORD = "fleet";
  private static final String DATABASE = "fleet";

  public PostgresContainer() {
    super(DockerImageName.parse(IMAGE));
    withImagePullPolicy(name -> false);
    withEnv("POSTGRES_USER", USER);
    withEnv("POSTGRES_PASSWORD", PASSWORD);
    withEnv("POSTGRES_DB", DATABASE);
    withExposedPorts(PORT);
    waitingFor(Wait.forLogMessage(".*database system is ready to accept connections.*", 1)
        .withStartupTimeout(Duration.ofSeconds(60)));
  }

  /** The port PostgreSQL listens on, on this host. */
  public int port() {
    return getMappedPort(PORT);
  }

  public String jdbcUrl() {
    return jdbcUrl(port());
  }

  /** The URL of the database through another port of this host (a link a test may cut). */
  public String jdbcUrl(int port) {
    return "jdbc:postgresql://" + getHost() + ":" + port + "/" + DATABASE;
  }

  public String username() {
    return USER;
  }

  public String password() {
    return PASSWORD;
  }

  /** Drops every table, so the next server starts on an empty store. */
  public void emptyDatabase() {
    try (Connection connection = DriverManager.getConnection(jdbcUrl(), USER, PASSWORD);
         Statement statement = connection.createStatement()) {
      statement.execute("DROP SCHEMA public CASCADE");
      statement.execute("CREATE SCHEMA public");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot empty the test database: " + e.getMessage(), e);
    }
  }
}

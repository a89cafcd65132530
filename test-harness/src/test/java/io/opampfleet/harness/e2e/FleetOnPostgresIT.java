package io.opampfleet.harness.e2e;

import io.opampfleet.peers.PostgresContainer;
import org.testcontainers.containers.Network;

/** The end-to-end suite with the server's store in PostgreSQL, in its own container. */
class FleetOnPostgresIT extends FleetSuite {
  @Override
  FleetServerContainer server(Network network, FleetPki pki) {
    return new FleetServerContainer(pki).withNetwork(network).withPostgres(new PostgresContainer(), "fleet-db");
  }
}

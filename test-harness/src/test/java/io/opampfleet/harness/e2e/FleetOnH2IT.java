package io.opampfleet.harness.e2e;

import org.testcontainers.containers.Network;

/** The end-to-end suite with the server on its embedded store, kept on a docker volume. */
class FleetOnH2IT extends FleetSuite {
  @Override
  FleetServerContainer server(Network network, FleetPki pki) {
    return new FleetServerContainer(pki).withNetwork(network).withDataVolume("e2e-fleet-h2-" + System.nanoTime());
  }
}

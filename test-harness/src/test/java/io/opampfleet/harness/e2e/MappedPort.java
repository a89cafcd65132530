package io.opampfleet.harness.e2e;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import org.testcontainers.containers.GenericContainer;

/** The host port mapped to a container's port now: a restarted container gets new ones. */
final class MappedPort {
  private MappedPort() {}

  static int now(GenericContainer<?> container, int port) {
    Ports.Binding[] bindings = container.getDockerClient().inspectContainerCmd(container.getContainerId()).exec()
        .getNetworkSettings().getPorts().getBindings().get(ExposedPort.tcp(port));
    if (bindings == null || bindings.length == 0) {
      throw new IllegalStateException("port " + port + " of " + container.getContainerName() + " is not mapped now");
    }
    return Integer.parseInt(bindings[0].getHostPortSpec());
  }
}

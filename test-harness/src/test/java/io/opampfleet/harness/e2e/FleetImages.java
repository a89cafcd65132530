package io.opampfleet.harness.e2e;

import io.opampfleet.peers.RealCollector;
import java.nio.file.Path;

/**
 * The project's images, over the locally built Java base image: the server, and a supervisor with
 * the real collector beside it. Each holds the project's own launcher under {@code /app/bin}, so
 * a container starts them the way an operator does.
 */
final class FleetImages {
  static final String BASE = "local/jre17:1";

  private static String server;
  private static String supervisor;

  private FleetImages() {}

  static synchronized String server() {
    if (server == null) {
      server = new LocalImage("opamp-fleet/e2e-server", """
          FROM %s
          COPY bin/opamp-server /app/bin/opamp-server
          COPY lib /app/opamp-server/target/lib
          COPY opamp-server.jar /app/opamp-server/target/opamp-server.jar
          ENV OPAMP_SERVER_JAVA_OPTS="-Xmx256m -XX:+UseSerialGC"
          EXPOSE 4320 4321
          ENTRYPOINT ["bash", "/app/bin/opamp-server", "--config", "/etc/fleet/server.yaml"]
          """.formatted(BASE))
          .with("bin/opamp-server", project().resolve("bin/opamp-server"))
          .with("lib", project().resolve("opamp-server/target/lib"))
          .with("opamp-server.jar", project().resolve("opamp-server/target/opamp-server.jar"))
          .resolve();
    }
    return server;
  }

  static synchronized String supervisor() {
    if (supervisor == null) {
      supervisor = new LocalImage("opamp-fleet/e2e-supervisor", """
          FROM %s
          COPY bin/supervisor /app/bin/supervisor
          COPY lib /app/opamp-supervisor/target/lib
          COPY supervisor.jar /app/opamp-supervisor/target/supervisor.jar
          COPY otelcol-fleet /usr/local/bin/otelcol-fleet
          COPY run-supervisor /app/bin/run-supervisor
          # A start and a stop 12 s later record the class archive into the image, so that no container records its own.
          RUN echo '{server: {endpoint: "ws://127.0.0.1:1/v1/opamp"}, storage: {directory: /tmp/train},' \
              'agent: {executable: /usr/local/bin/otelcol-fleet}}' > /tmp/train.yaml \
              && (bash /app/bin/supervisor --config /tmp/train.yaml > /tmp/train.log 2>&1 & sleep 12; kill -TERM $!; wait $!); \
              bash /app/bin/supervisor --version > /dev/null; rm -rf /tmp/train /tmp/train.yaml /tmp/train.log
          ENTRYPOINT ["sh", "/app/bin/run-supervisor"]
          """.formatted(BASE))
          .with("bin/supervisor", project().resolve("bin/supervisor"))
          .with("lib", project().resolve("opamp-supervisor/target/lib"))
          .with("supervisor.jar", project().resolve("opamp-supervisor/target/supervisor.jar"))
          .with("otelcol-fleet", RealCollector.binary())
          .with("run-supervisor", Path.of(resource("e2e/run-supervisor")))
          .resolve();
    }
    return supervisor;
  }

  private static Path project() {
    return Path.of(required("fleet.project.dir"));
  }

  private static String resource(String name) {
    try {
      return Path.of(FleetImages.class.getClassLoader().getResource(name).toURI()).toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String required(String property) {
    String value = System.getProperty(property, "");
    if (value.isBlank()) {
      throw new IllegalStateException("system property " + property + " is not set: run through Maven (scripts/test)");
    }
    return value;
  }
}

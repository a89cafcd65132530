package io.opampfleet.harness.realparts;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.utility.MountableFile;

/**
 * The path the end-to-end suites take: an image built over the locally imported base image (no
 * registry), started by Testcontainers on the local engine, reached through a mapped port.
 */
class LocalImageContainerIT {
  private static final String BASE_IMAGE = "local/jre17:1";

  @Test
  void aContainerBuiltOverTheLocalBaseImageAnswersThroughAMappedPort() throws Exception {
    ImageFromDockerfile image = new ImageFromDockerfile("opamp-fleet/echo-it", false)
        .withFileFromClasspath("Echo.java", "echo/Echo.java")
        .withDockerfileFromBuilder(dockerfile -> dockerfile
            .from(BASE_IMAGE)
            .copy("Echo.java", "/app/Echo.java")
            .cmd("java", "/app/Echo.java")
            .build());

    try (GenericContainer<?> echo = new GenericContainer<>(image)
        .withCreateContainerCmdModifier(cmd -> cmd.withHostName("echo-under-test"))
        .withExposedPorts(8080)
        .waitingFor(Wait.forLogMessage(".*echo listening on 8080.*", 1).withStartupTimeout(Duration.ofMinutes(2)))) {
      echo.start();

      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://" + echo.getHost() + ":" + echo.getMappedPort(8080) + "/fleet"))
              .timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).startsWith("echo /fleet from echo-under-test on java 17");
      assertThat(echo.getHost()).isEqualTo("localhost");
    }
  }

  @Test
  void theBaseImageIsTheLocalOneAndNoPullIsNeeded() throws Exception {
    try (GenericContainer<?> probe = new GenericContainer<>(BASE_IMAGE)
        .withImagePullPolicy(name -> false)
        .withCommand("sh", "-c", "java -version 2>&1; sleep 30")
        .waitingFor(Wait.forLogMessage(".*openjdk version \"17.*", 1))) {
      probe.start();

      assertThat(probe.getLogs()).contains("OpenJDK Runtime Environment");
    }
  }
}

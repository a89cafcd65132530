package io.opampfleet.server.fleet;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.MinimumDurationRunningStartupCheckStrategy;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * A real HAProxy (Debian's, in the locally built image) on the host's network, so that it reaches
 * servers on loopback and agents reach it there: its configuration and the files it names are
 * copied under /etc/haproxy.
 */
public final class HaproxyContainer extends GenericContainer<HaproxyContainer> {
  public static final String IMAGE = "local/haproxy:1";

  public HaproxyContainer(Path config) {
    super(DockerImageName.parse(IMAGE));
    withImagePullPolicy(name -> false);
    withNetworkMode("host");
    withCopyFileToContainer(MountableFile.forHostPath(config), "/etc/haproxy/haproxy.cfg");
    withStartupCheckStrategy(new MinimumDurationRunningStartupCheckStrategy(Duration.ofSeconds(1)));
  }

  /** Copies a file HAProxy's configuration names to /etc/haproxy/{@code name}. */
  public HaproxyContainer withFile(Path file, String name) {
    return withCopyFileToContainer(MountableFile.forHostPath(file), "/etc/haproxy/" + name);
  }

  /** Waits until HAProxy accepts connections on this loopback port. */
  public void awaitListening(int port) {
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return true;
      } catch (IOException refused) {
        return false;
      }
    });
  }

  /** A certificate and its key in one PEM file, as HAProxy's {@code crt} takes them. */
  public static Path bundle(Path certificate, Path key, Path into) throws IOException {
    Files.writeString(into, Files.readString(certificate) + Files.readString(key));
    return into;
  }
}

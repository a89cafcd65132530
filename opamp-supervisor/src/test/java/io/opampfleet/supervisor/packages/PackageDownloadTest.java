package io.opampfleet.supervisor.packages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.opampfleet.proto.DownloadableFile;
import io.opampfleet.supervisor.config.SupervisorConfig.Tls;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageDownloadTest {
  private static final Tls PLAIN = new Tls(false, false, "", "", "", "", "", "", "", "", "", Duration.ZERO, true,
      Duration.ZERO);

  @TempDir Path dir;
  private final CountDownLatch released = new CountDownLatch(1);
  private HttpServer server;

  @AfterEach
  void stop() {
    released.countDown();
    server.stop(0);
  }

  @Test
  void aBodyThatStallsIsCutOffAtTheDeadline() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/package", exchange -> {
      exchange.sendResponseHeaders(200, 1000);
      OutputStream body = exchange.getResponseBody();
      body.write(new byte[10]);
      body.flush();
      try {
        released.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.close();
    });
    server.start();
    DownloadableFile file = DownloadableFile.newBuilder()
        .setDownloadUrl("http://127.0.0.1:" + server.getAddress().getPort() + "/package").build();
    long started = System.nanoTime();

    assertThatThrownBy(() -> new PackageDownload(PLAIN, Duration.ofSeconds(1)).fetch(file, dir.resolve("download"),
        percent -> { })).isInstanceOf(IOException.class).hasMessage("the download did not end within 1 s");

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
  }
}

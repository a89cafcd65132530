package io.opampfleet.supervisor.healthchecker;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The supervisor's own liveness endpoint, {@code healthcheck::endpoint}, as the Go supervisor has it:
 * {@code GET /health} is 200 once the supervisor has its persistent state and a config to run, 503
 * with the reason before; an unreachable OpAMP server does not make it unhealthy.
 */
public final class HealthEndpoint implements AutoCloseable {
  private final HttpServer server;

  private HealthEndpoint(HttpServer server) {
    this.server = server;
  }

  /** @param problem why the supervisor is not healthy yet, or empty when it is */
  public static HealthEndpoint start(InetSocketAddress address, Supplier<Optional<String>> problem) {
    try {
      HttpServer server = HttpServer.create(address, 16);
      server.createContext("/health", exchange -> answer(exchange, problem.get()));
      server.setExecutor(Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "healthcheck");
        thread.setDaemon(true);
        return thread;
      }));
      server.start();
      return new HealthEndpoint(server);
    } catch (IOException e) {
      throw new UncheckedIOException("healthcheck::endpoint: cannot listen on " + address + ": " + e.getMessage(), e);
    }
  }

  public InetSocketAddress address() {
    return server.getAddress();
  }

  private static void answer(HttpExchange exchange, Optional<String> problem) throws IOException {
    byte[] body = problem.orElse("OK").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(problem.isPresent() ? 503 : 200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

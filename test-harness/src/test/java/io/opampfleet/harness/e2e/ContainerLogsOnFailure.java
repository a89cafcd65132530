package io.opampfleet.harness.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestWatcher;
import org.testcontainers.containers.GenericContainer;

/**
 * Writes the logs of every container of a suite to {@code target/e2e-logs/<suite>/<test>/} when a
 * test (its {@code @BeforeEach} included), or the suite's start, fails: the whole story of each
 * container, restarts included.
 */
public final class ContainerLogsOnFailure implements TestWatcher, LifecycleMethodExecutionExceptionHandler {
  /** A suite whose containers are worth keeping the logs of, by a name for each. */
  public interface Containers {
    Map<String, GenericContainer<?>> containers();
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    save(context, context.getRequiredTestMethod().getName());
  }

  @Override
  public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable cause) throws Throwable {
    save(context, "start");
    throw cause;
  }

  private static void save(ExtensionContext context, String test) {
    try {
      saveLogs(context, test);
    } catch (RuntimeException e) {
      // Never hide the failure itself behind one in saving its logs.
      System.err.println("container logs could not be saved: " + e);
    }
  }

  private static void saveLogs(ExtensionContext context, String test) {
    Optional<Object> suite = context.getTestInstance();
    if (suite.isEmpty() || !(suite.get() instanceof Containers containers)) {
      return;
    }
    Path dir = Path.of("target", "e2e-logs", context.getRequiredTestClass().getSimpleName(), test);
    containers.containers().forEach((name, container) -> {
      if (container.getContainerId() == null) {
        return;
      }
      try {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name + ".log"), container.getLogs());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (RuntimeException e) {
        // A container that is gone has no logs to give; the others still do.
      }
    });
    System.err.println("container logs of the failed test: " + dir.toAbsolutePath());
  }
}

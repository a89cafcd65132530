package io.opampfleet.supervisor.packages;

import io.opampfleet.supervisor.storage.DurableReplace;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Replaces agent::executable with a new collector in one rename, forced to disk first, so the path
 * never holds half a file, and keeps the one it replaced in the storage directory to go back to.
 */
final class ExecutableSwap {
  private static final String EXECUTABLE = "rwxr-xr-x";
  private final Path executable;
  private final Path backup;

  ExecutableSwap(Path executable, Path storage) {
    this.executable = executable;
    this.backup = storage.resolve("collector.bak");
  }

  void install(Path next) throws IOException {
    DurableReplace.copy(executable, backup, EXECUTABLE);
    DurableReplace.copy(next, executable, EXECUTABLE);
  }

  /** Puts back the executable {@link #install} replaced. */
  void restore() throws IOException {
    DurableReplace.copy(backup, executable, EXECUTABLE);
  }
}

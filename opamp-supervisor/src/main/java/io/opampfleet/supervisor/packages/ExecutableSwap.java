package io.opampfleet.supervisor.packages;

import io.opampfleet.supervisor.storage.DurableReplace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Replaces agent::executable with a new collector in one rename, forced to disk first, so the path
 * never holds half a file, and keeps the one it replaced in the storage directory to go back to
 * until the new one is kept or put back: a backup there means an install that was not decided.
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
    Files.deleteIfExists(backup);
  }

  /** The new executable stays: the one it replaced is let go. */
  void keep() throws IOException {
    Files.deleteIfExists(backup);
  }

  /** Whether an install replaced the executable and was neither kept nor put back. */
  boolean undecided() {
    return Files.exists(backup);
  }
}

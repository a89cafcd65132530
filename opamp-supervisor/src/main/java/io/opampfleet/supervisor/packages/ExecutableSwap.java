package io.opampfleet.supervisor.packages;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Replaces agent::executable with a new collector in one rename, so the path never holds half a
 * file, and keeps the one it replaced in the storage directory to go back to.
 */
final class ExecutableSwap {
  private final Path executable;
  private final Path backup;

  ExecutableSwap(Path executable, Path storage) {
    this.executable = executable;
    this.backup = storage.resolve("collector.bak");
  }

  void install(Path next) throws IOException {
    Files.copy(executable, backup, StandardCopyOption.REPLACE_EXISTING);
    replaceWith(next);
  }

  /** Puts back the executable {@link #install} replaced. */
  void restore() throws IOException {
    replaceWith(backup);
  }

  private void replaceWith(Path source) throws IOException {
    // Staged next to the target: a rename within one file system is atomic.
    Path staged = executable.resolveSibling("." + executable.getFileName() + ".new");
    Files.copy(source, staged, StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(staged, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.move(staged, executable, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}

package io.opampfleet.server.packages;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Package content on disk, one file per SHA-256, so the same content is kept once. */
public final class PackageFiles {
  private final Path dir;

  public PackageFiles(Path dir) {
    this.dir = dir;
  }

  public void put(String sha256, byte[] content) {
    try {
      Files.createDirectories(dir);
      Path target = dir.resolve(sha256);
      if (!Files.exists(target)) {
        Path partial = dir.resolve(sha256 + ".partial");
        Files.write(partial, content);
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store a package file in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The file that holds the content with this SHA-256. */
  public Path path(String sha256) {
    return dir.resolve(sha256);
  }
}

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

  public byte[] read(String sha256) {
    try {
      return Files.readAllBytes(dir.resolve(sha256));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read package file " + sha256 + ": " + e.getMessage(), e);
    }
  }
}

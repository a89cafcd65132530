package io.opampfleet.server.internal.hosting;

import io.opampfleet.server.internal.store.PackageContents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Package content on disk, one file per SHA-256, so the same content is kept once. With servers
 * sharing a store, the content is kept in the store too, and a server that lacks a file copies it
 * from there when it is first asked for.
 */
public final class PackageFiles {
  private final Path dir;
  private final Optional<PackageContents> shared;

  public PackageFiles(Path dir, Optional<PackageContents> shared) {
    this.dir = dir;
    this.shared = shared;
  }

  public void put(String sha256, byte[] content) {
    shared.ifPresent(contents -> contents.put(sha256, content));
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

  /** The file that holds the content with this SHA-256, copied from the shared store when missing here. */
  public Path path(String sha256) {
    Path target = dir.resolve(sha256);
    if (!Files.exists(target) && shared.isPresent()) {
      synchronized (this) {
        if (!Files.exists(target)) {
          copyFromStore(sha256, target);
        }
      }
    }
    return target;
  }

  private void copyFromStore(String sha256, Path target) {
    try {
      Files.createDirectories(dir);
      Path partial = dir.resolve(sha256 + ".partial");
      if (shared.get().copyTo(sha256, partial)) {
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
      } else {
        Files.deleteIfExists(partial);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store a package file in " + dir + ": " + e.getMessage(), e);
    }
  }
}

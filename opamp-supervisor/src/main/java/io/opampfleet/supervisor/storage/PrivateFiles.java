package io.opampfleet.supervisor.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Files of the storage directory only the owner reads, written whole or not at all. */
public final class PrivateFiles {
  private PrivateFiles() {}

  /** The message kept in {@code file}, or null when there is none. */
  public static <T> T read(Path file, com.google.protobuf.Parser<T> parser, String what) {
    if (!Files.exists(file)) {
      return null;
    }
    try {
      return parser.parseFrom(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(file + ": cannot be read as " + what + "; remove it to start without", e);
    }
  }

  public static void write(Path file, byte[] content) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    Files.deleteIfExists(partial);
    Files.write(partial, content);
    try {
      Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: the directory's own permissions guard it.
    }
    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}

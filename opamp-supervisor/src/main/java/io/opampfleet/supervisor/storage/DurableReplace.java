package io.opampfleet.supervisor.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file replaced whole or not at all: written beside it, created with its final permissions, forced
 * to disk, renamed over it in one step, and its directory forced after, so that a crash or a power cut
 * leaves the old file or the new one, never half of one.
 */
public final class DurableReplace {
  private static final Logger log = LoggerFactory.getLogger(DurableReplace.class);

  /** What goes into the new file. */
  public interface Content {
    void writeTo(FileChannel file) throws IOException;
  }

  private DurableReplace() {}

  /** @param permissions as {@code ls -l} shows them, such as {@code rw-------} */
  public static void replace(Path file, String permissions, Content content) throws IOException {
    Path directory = file.toAbsolutePath().getParent();
    Files.createDirectories(directory);
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    Files.deleteIfExists(partial);
    try (FileChannel channel = FileChannel.open(partial,
        EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), withPermissions(directory, permissions))) {
      content.writeTo(channel);
      channel.force(true);
    }
    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    forceDirectory(directory);
  }

  /** Replaces {@code file} with a copy of {@code source}. */
  public static void copy(Path source, Path file, String permissions) throws IOException {
    replace(file, permissions, channel -> {
      try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
        long size = in.size();
        for (long at = 0; at < size; ) {
          at += in.transferTo(at, size - at, channel);
        }
      }
    });
  }

  private static FileAttribute<?>[] withPermissions(Path directory, String permissions) {
    // Not a POSIX file system: the directory's own permissions guard it.
    return directory.getFileSystem().supportedFileAttributeViews().contains("posix")
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions))}
        : new FileAttribute<?>[0];
  }

  /** The rename itself reaches the disk only once the directory is forced; some systems cannot open one. */
  private static void forceDirectory(Path directory) {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (FileSystemException | UnsupportedOperationException cannot) {
      // Windows and some file systems do not open directories: the rename is as durable as they make it.
    } catch (IOException e) {
      log.debug("{}: could not be forced to disk: {}", directory, e.getMessage());
    }
  }
}

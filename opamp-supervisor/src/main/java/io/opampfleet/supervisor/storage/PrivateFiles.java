package io.opampfleet.supervisor.storage;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files of the storage directory only the owner reads, written whole or not at all (see {@link
 * DurableReplace}). One that cannot be read is set aside.
 */
public final class PrivateFiles {
  private static final Logger log = LoggerFactory.getLogger(PrivateFiles.class);

  private PrivateFiles() {}

  /**
   * The message kept in {@code file}, or null when there is none. An empty or damaged file (a
   * crash of another program, a full disk) is renamed aside with a warning and taken as none.
   */
  public static <T> T read(Path file, com.google.protobuf.Parser<T> parser, String what) {
    if (!Files.exists(file)) {
      return null;
    }
    try {
      byte[] content = Files.readAllBytes(file);
      if (content.length == 0) {
        setAside(file, "it is empty");
        return null;
      }
      return parser.parseFrom(content);
    } catch (InvalidProtocolBufferException e) {
      setAside(file, "it is not " + what + " (" + e.getMessage() + ")");
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot be read: " + e.getMessage(), e);
    }
  }

  /** Renames a file that cannot be used to {@code <name>.unreadable-<time>}, where a person can look at it. */
  public static void setAside(Path file, String why) {
    Path aside = file.resolveSibling(file.getFileName() + ".unreadable-" + Instant.now().toEpochMilli());
    try {
      Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
      log.warn("{}: set aside as {} and not used: {}", file, aside.getFileName(), why);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot be used (" + why + ") nor set aside: " + e.getMessage(), e);
    }
  }

  public static void write(Path file, byte[] content) throws IOException {
    DurableReplace.replace(file, "rw-------", channel -> {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    });
  }
}

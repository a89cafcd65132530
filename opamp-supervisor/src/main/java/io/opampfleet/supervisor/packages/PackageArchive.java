package io.opampfleet.supervisor.packages;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** The collector executable inside a downloaded package: the file itself, or agent_binary in a tar.gz. */
final class PackageArchive {
  private PackageArchive() {}

  static Path executable(Path downloaded, String archive, String agentBinary) throws IOException {
    if (archive.isEmpty()) {
      return downloaded;
    }
    Path extracted = downloaded.resolveSibling(downloaded.getFileName() + ".executable");
    try (TarArchiveInputStream tar = new TarArchiveInputStream(
        new GZIPInputStream(new BufferedInputStream(Files.newInputStream(downloaded))))) {
      for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
        String name = entry.getName();
        if (entry.isFile() && (name.equals(agentBinary) || name.endsWith("/" + agentBinary))) {
          Files.copy(tar, extracted, StandardCopyOption.REPLACE_EXISTING);
          return extracted;
        }
      }
    } catch (java.util.zip.ZipException e) {
      throw new IOException("the package is not a tar.gz archive: " + e.getMessage(), e);
    }
    throw new IOException("the package archive holds no '" + agentBinary + "' (agent::package::agent_binary)");
  }

}

package io.opampfleet.harness.e2e;

import com.github.dockerjava.api.exception.ConflictException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * An image built here from a Dockerfile and local files (no registry is reachable), tagged with a
 * hash of everything that goes into it: built only when no image has that tag yet, and kept
 * between runs.
 */
final class LocalImage {
  private final String repository;
  private final String dockerfile;
  private final Map<String, Path> files = new TreeMap<>();

  LocalImage(String repository, String dockerfile) {
    this.repository = repository;
    this.dockerfile = dockerfile;
  }

  /** A file or directory of the build context, under {@code name}. */
  LocalImage with(String name, Path path) {
    if (!Files.exists(path)) {
      throw new IllegalStateException(repository + " needs " + path + ", which does not exist: build the project first"
          + " (./mvnw -B package -DskipTests)");
    }
    files.put(name, path);
    return this;
  }

  /** The image's name with its tag, built first when it is missing. */
  String resolve() {
    String name = repository + ":" + inputsHash();
    if (!exists(name)) {
      ImageFromDockerfile image = new ImageFromDockerfile(name, false);
      files.forEach(image::withFileFromPath);
      image.withFileFromString("Dockerfile", dockerfile);
      image.get();
      removeOtherTags(name);
    }
    return name;
  }

  /**
   * Tags of the inputs before this change are of no more use (an image no tag names goes with its last).
   * A tag a running container still uses (another build's tests) stays for the next build to remove.
   */
  private void removeOtherTags(String kept) {
    var docker = DockerClientFactory.instance().client();
    for (var image : docker.listImagesCmd().withImageNameFilter(repository).exec()) {
      for (String tag : image.getRepoTags() == null ? new String[0] : image.getRepoTags()) {
        if (tag.startsWith(repository + ":") && !tag.equals(kept)) {
          try {
            docker.removeImageCmd(tag).exec();
          } catch (ConflictException inUse) {
            System.err.println("e2e: " + tag + " is still in use and stays for now");
          }
        }
      }
    }
  }

  private static boolean exists(String name) {
    List<?> found = DockerClientFactory.instance().client().listImagesCmd().withImageNameFilter(name).exec();
    return !found.isEmpty();
  }

  private String inputsHash() {
    MessageDigest digest = sha256();
    digest.update(dockerfile.getBytes(StandardCharsets.UTF_8));
    // The base image by its id: a base imported again makes new images too.
    dockerfile.lines().filter(line -> line.startsWith("FROM ")).forEach(from -> digest.update(
        DockerClientFactory.instance().client().inspectImageCmd(from.substring(5).trim()).exec().getId()
            .getBytes(StandardCharsets.UTF_8)));
    files.forEach((name, path) -> {
      try (Stream<Path> tree = Files.walk(path)) {
        for (Path file : tree.filter(Files::isRegularFile).sorted().toList()) {
          digest.update((name + "/" + path.relativize(file)).getBytes(StandardCharsets.UTF_8));
          update(digest, file);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
  }

  private static void update(MessageDigest digest, Path file) throws IOException {
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int read; (read = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, read);
      }
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

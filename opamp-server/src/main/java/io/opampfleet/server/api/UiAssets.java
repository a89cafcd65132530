package io.opampfleet.server.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web UI's files, served from the server's own jar: {@code /} is the page, {@code /ui/...}
 * its scripts and styles. They hold no data (the page asks the API with the user's token), so
 * they need no token themselves.
 */
final class UiAssets {
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
      "css", "text/css; charset=utf-8", "svg", "image/svg+xml");
  private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

  /** The asset at this path, if it is one. */
  Optional<ApiResponse> serve(String path) {
    String name = path.equals("/") ? "index.html" : path.substring("/ui/".length());
    if (!name.matches("[a-z0-9-]+\\.[a-z]+")) {
      return Optional.empty();
    }
    String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
    byte[] content = type == null ? null : cache.computeIfAbsent(name, UiAssets::load);
    return content == null || content.length == 0 ? Optional.empty()
        : Optional.of(new ApiResponse(200, type, content, null, null, Map.of()));
  }

  static boolean isAsset(String path) {
    return path.equals("/") || path.startsWith("/ui/");
  }

  private static byte[] load(String name) {
    try (InputStream in = UiAssets.class.getResourceAsStream("/ui/" + name)) {
      return in == null ? new byte[0] : in.readAllBytes();
    } catch (IOException e) {
      return new byte[0];
    }
  }
}

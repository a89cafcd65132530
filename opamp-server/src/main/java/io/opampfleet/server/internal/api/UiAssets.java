package io.opampfleet.server.internal.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web UI's files, served from the server's own jar: {@code /} is the page, {@code /ui/...}
 * its scripts and styles, {@code /api/docs/} the browsable API page with Swagger UI's files from its
 * webjar. They hold no data (the pages ask the API with the user's token), so they need no token
 * themselves.
 */
final class UiAssets {
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
      "css", "text/css; charset=utf-8", "svg", "image/svg+xml");
  private static final String DOCS = "/api/docs/";
  private static final String SWAGGER_UI = "/META-INF/resources/webjars/swagger-ui/" + swaggerUiVersion() + "/";
  private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

  /** The asset at this path, if it is one. */
  Optional<ApiResponse> serve(String path) {
    if (path.equals("/api/docs")) {
      return Optional.of(new ApiResponse(308, "text/plain; charset=utf-8", new byte[0], null, null,
          Map.of("Location", DOCS)));
    }
    String resource;
    if (path.equals("/")) {
      resource = "/ui/index.html";
    } else if (path.equals(DOCS)) {
      resource = "/ui/api-docs.html";
    } else if (path.startsWith(DOCS)) {
      resource = SWAGGER_UI + path.substring(DOCS.length());
    } else {
      resource = path;
    }
    String name = resource.substring(resource.lastIndexOf('/') + 1);
    if (!name.matches("[a-z0-9-]+\\.[a-z]+")) {
      return Optional.empty();
    }
    String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
    // A name that is no file is not kept: the names asked for are a stranger's to choose.
    byte[] content = type == null ? null : cache.computeIfAbsent(resource, UiAssets::load);
    return content == null ? Optional.empty()
        : Optional.of(new ApiResponse(200, type, content, null, null, Map.of()));
  }

  static boolean isAsset(String path) {
    return path.equals("/") || path.startsWith("/ui/") || path.equals("/api/docs") || path.startsWith(DOCS);
  }

  /** The file's content; null when there is none (so nothing is cached). */
  private static byte[] load(String resource) {
    try (InputStream in = UiAssets.class.getResourceAsStream(resource)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      return null;
    }
  }

  /** How many files are held in memory. */
  int held() {
    return cache.size();
  }

  /** The webjar's version, which names its directory; read from the jar so that an upgrade is one line in the pom. */
  private static String swaggerUiVersion() {
    try (InputStream in = UiAssets.class.getResourceAsStream("/META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
      Properties properties = new Properties();
      if (in != null) {
        properties.load(in);
      }
      return properties.getProperty("version", "missing");
    } catch (IOException e) {
      return "missing";
    }
  }
}

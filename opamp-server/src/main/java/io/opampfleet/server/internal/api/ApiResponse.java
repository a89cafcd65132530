package io.opampfleet.server.internal.api;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the admin side answers: a status and a body of a content type, an event stream, or a file
 * sent from disk as it is read; with any headers of its own (a 405's {@code Allow}).
 */
public record ApiResponse(int status, String contentType, byte[] body, EventStream stream, Path file,
    Map<String, String> headers) {
  public static ApiResponse json(int status, byte[] body) {
    return new ApiResponse(status, "application/json", body, null, null, Map.of());
  }

  public static ApiResponse text(int status, String contentType, String body) {
    return new ApiResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8), null, null, Map.of());
  }

  public static ApiResponse stream(EventStream stream) {
    return new ApiResponse(200, "text/event-stream", new byte[0], stream, null, Map.of());
  }

  public static ApiResponse file(String contentType, Path file) {
    return new ApiResponse(200, contentType, new byte[0], null, file, Map.of());
  }

  public ApiResponse withHeaders(Map<String, String> more) {
    return more.isEmpty() ? this : new ApiResponse(status, contentType, body, stream, file, more);
  }
}

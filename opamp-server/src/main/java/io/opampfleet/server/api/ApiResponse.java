package io.opampfleet.server.api;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * What the admin side answers: a status and a body of a content type, an event stream, or a file
 * sent from disk as it is read.
 */
public record ApiResponse(int status, String contentType, byte[] body, EventStream stream, Path file) {
  public static ApiResponse json(int status, byte[] body) {
    return new ApiResponse(status, "application/json", body, null, null);
  }

  public static ApiResponse text(int status, String contentType, String body) {
    return new ApiResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8), null, null);
  }

  public static ApiResponse stream(EventStream stream) {
    return new ApiResponse(200, "text/event-stream", new byte[0], stream, null);
  }

  public static ApiResponse file(String contentType, Path file) {
    return new ApiResponse(200, contentType, new byte[0], null, file);
  }
}

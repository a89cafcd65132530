package io.opampfleet.server.api;

import java.nio.charset.StandardCharsets;

/** What the admin side answers: a status and a body of a content type, or an event stream. */
public record ApiResponse(int status, String contentType, byte[] body, EventStream stream) {
  public static ApiResponse json(int status, byte[] body) {
    return new ApiResponse(status, "application/json", body, null);
  }

  public static ApiResponse text(int status, String contentType, String body) {
    return new ApiResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8), null);
  }

  public static ApiResponse stream(EventStream stream) {
    return new ApiResponse(200, "text/event-stream", new byte[0], stream);
  }
}

package io.opampfleet.server.internal.api;

import java.util.Collection;
import java.util.Map;

/** A request the API refuses: an HTTP status and a sentence that says what to do, and any headers the status needs. */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final transient Map<String, String> headers;

  public ApiException(int status, String message) {
    this(status, message, Map.of());
  }

  private ApiException(int status, String message, Map<String, String> headers) {
    super(message);
    this.status = status;
    this.headers = headers;
  }

  public int status() {
    return status;
  }

  public Map<String, String> headers() {
    return headers;
  }

  /** A 405 that lists, as HTTP asks, the methods the path takes. */
  public static ApiException methodNotAllowed(String method, String path, Collection<String> allowed) {
    String methods = String.join(", ", allowed);
    return new ApiException(405, method + " is not supported on " + path + "; it takes " + methods,
        Map.of("Allow", methods));
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, message);
  }
}

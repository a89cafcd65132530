package io.opampfleet.server.internal.api;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One API operation: method, path template with {@code {name}} segments, the role it needs, what
 * answers it, and what the audit log keeps of it: every call but a GET changes something, unless
 * said otherwise, and is recorded with what its object was {@code before} (null: nothing to say).
 */
public record Route(String method, String template, Role role, Handler handler, Handler before, boolean changes) {
  /** Answers a request with a value written as JSON, or throws {@link ApiException}. */
  @FunctionalInterface
  public interface Handler {
    Object handle(ApiRequest request);
  }

  public Route(String method, String template, Role role, Handler handler) {
    this(method, template, role, handler, null, !method.equals("GET"));
  }

  /** This route, whose object the audit log shows as {@code before} answers before the change. */
  public Route withBefore(Handler before) {
    return new Route(method, template, role, handler, before, changes);
  }

  /** This route, which changes nothing (a preview, a check): the audit log leaves it out. */
  public Route readingOnly() {
    return new Route(method, template, role, handler, null, false);
  }

  /** The path parameters when the path fits this template. */
  public Optional<Map<String, String>> match(List<String> segments) {
    String[] parts = template.substring(1).split("/");
    if (parts.length != segments.size()) {
      return Optional.empty();
    }
    Map<String, String> parameters = new HashMap<>();
    for (int i = 0; i < parts.length; i++) {
      if (parts[i].startsWith("{")) {
        parameters.put(parts[i].substring(1, parts[i].length() - 1), segments.get(i));
      } else if (!parts[i].equals(segments.get(i))) {
        return Optional.empty();
      }
    }
    return Optional.of(parameters);
  }
}

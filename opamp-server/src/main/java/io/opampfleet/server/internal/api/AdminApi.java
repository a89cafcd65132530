package io.opampfleet.server.internal.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.opampfleet.server.internal.PrintableText;
import io.opampfleet.server.internal.api.ApiRequest.Principal;
import io.opampfleet.server.internal.rollout.RolloutException;
import io.opampfleet.server.internal.store.AuditLog;
import io.opampfleet.server.internal.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin side without the wire: authenticates, routes to the operation, and writes its answer
 * or its error as JSON. Only {@code /healthz}, {@code /readyz} and package downloads (by the
 * secret in their URL) are open; everything else needs a bearer token with the role the
 * operation asks for.
 */
public final class AdminApi {
  private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
  /** Paths answered before any route, each to GET alone. */
  private static final Set<String> ANSWERED_BEFORE_ROUTES =
      Set.of("/healthz", "/readyz", "/metrics", "/api/v1/openapi.json");
  public static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private final Tokens tokens;
  private final UiAssets ui = new UiAssets();
  private final List<Route> routes = new ArrayList<>();
  private final Supplier<String> metrics;
  private final BooleanSupplier ready;
  private final byte[] openApi;
  private final Function<String, ApiResponse> downloads;
  private final ReaderRedaction redaction;
  private final AuditTrail audit;

  /**
   * @param downloads answers {@code /downloads/<token>}, open: the secret token is the credential
   * @param secrets what hides secrets from those who are not admins
   * @param auditLog where each change made through the API is recorded
   */
  public AdminApi(Tokens tokens, Supplier<String> metrics, BooleanSupplier ready,
      Function<String, ApiResponse> downloads, SecretRedactor secrets, AuditLog auditLog, LongSupplier clock) {
    this.redaction = new ReaderRedaction(secrets);
    this.audit = new AuditTrail(auditLog, redaction, clock);
    this.tokens = tokens;
    this.metrics = metrics;
    this.ready = ready;
    this.downloads = downloads;
    this.openApi = resource("/openapi.json");
  }

  public AdminApi add(List<Route> more) {
    routes.addAll(more);
    return this;
  }

  public List<Route> routes() {
    return List.copyOf(routes);
  }

  /** Whether the request carries a token this server knows; a request that does not may carry no body. */
  boolean knowsCaller(HttpRequest request) {
    return tokens.authenticate(request.headers().get("Authorization")).isPresent();
  }

  static String unauthenticated(String authorization) {
    return authorization == null
        ? "this call needs a token: send 'Authorization: Bearer <token>'"
        : "the token is not known; check it, or ask an admin for a new one";
  }

  /**
   * A call without a known token to a path that needs one, refused on the event loop: a stranger's
   * calls take no place in the queue of the workers the operators' calls wait for. (Tokens are
   * looked up in memory.)
   */
  Optional<ApiResponse> refusedAtOnce(String method, String path, String authorization) {
    boolean answeredWithoutToken = path.equals("/healthz") || path.equals("/readyz")
        || ANSWERED_BEFORE_ROUTES.contains(path) && !method.equals("GET")
        || method.equals("GET") && (UiAssets.isAsset(path) || path.startsWith("/downloads/"));
    if (answeredWithoutToken || tokens.authenticate(authorization).isPresent()) {
      return Optional.empty();
    }
    return Optional.of(error(401, unauthenticated(authorization)));
  }

  /** Only an admin's package file upload may carry a large body. */
  boolean admitsLargeBody(HttpRequest request) {
    return request.method().name().equals("POST")
        && new QueryStringDecoder(request.uri()).path().equals("/api/v1/packages/file")
        && tokens.authenticate(request.headers().get("Authorization"))
            .filter(principal -> principal.role().allows(Role.ADMIN)).isPresent();
  }

  public ApiResponse handle(String method, String path, Map<String, List<String>> query, String authorization,
      byte[] body) {
    try {
      if (ANSWERED_BEFORE_ROUTES.contains(path) && !method.equals("GET")) {
        throw ApiException.methodNotAllowed(method, path, Set.of("GET"));
      }
      if (path.equals("/healthz")) {
        return json(200, Map.of("status", "ok"));
      }
      if (path.equals("/readyz")) {
        return ready.getAsBoolean() ? json(200, Map.of("status", "ready"))
            : json(503, Map.of("status", "not ready: starting, or the store is not answering"));
      }
      if (UiAssets.isAsset(path) && method.equals("GET")) {
        return ui.serve(path).orElseGet(() -> error(404, "there is no page at " + path));
      }
      if (path.startsWith("/downloads/") && method.equals("GET")) {
        return downloads.apply(path.substring("/downloads/".length()));
      }
      Optional<Principal> principal = tokens.authenticate(authorization);
      if (principal.isEmpty()) {
        throw new ApiException(401, unauthenticated(authorization));
      }
      if (path.equals("/metrics")) {
        return ApiResponse.text(200, "text/plain; version=0.0.4; charset=utf-8", metrics.get());
      }
      if (path.equals("/api/v1/openapi.json")) {
        return ApiResponse.json(200, openApi);
      }
      return route(method, path, query, body, principal.get());
    } catch (ApiException e) {
      return error(e.status(), e.getMessage()).withHeaders(e.headers());
    } catch (RolloutException e) {
      return error(switch (e.kind()) {
        case NOT_FOUND -> 404;
        case CONFLICT -> 409;
        case INVALID -> 422;
      }, e.getMessage());
    } catch (StoreException e) {
      String state = e.sqlState();
      if (state.startsWith("22")) {
        // The database's own words name its columns and quote the value: for the log, not the caller.
        log.warn("admin {} {}: the store refused a value: {}", method, PrintableText.of(path, 200),
            PrintableText.of(e.getMessage(), 500));
        return error(422, "a value in this call is too long or malformed for the store; the server's log says which");
      }
      if (state.startsWith("23")) {
        return error(409, "the change conflicts with another made at the same time; try again");
      }
      if (StoreException.mayPass(e)) {
        // An outage: the store probe logs it once, not each call that meets it.
        log.debug("admin {} {}: the store is away: {}", method, PrintableText.of(path, 200), e.getMessage());
      } else {
        log.error("admin {} {}: the store failed: {}", method, PrintableText.of(path, 200),
            PrintableText.of(e.getMessage(), 500));
      }
      return error(503, "the store is not answering; try again shortly");
    } catch (RuntimeException e) {
      log.error("admin {} {}: failed: {}", method, PrintableText.of(path, 200), e.toString(), e);
      return error(500, "the server failed to handle this call; its log has the cause");
    }
  }

  private ApiResponse route(String method, String path, Map<String, List<String>> query, byte[] body,
      Principal principal) {
    List<String> segments = Arrays.stream(path.substring(1).split("/")).toList();
    Set<String> allowed = new TreeSet<>();
    for (Matched matched : closest(segments)) {
      Route route = matched.route();
      allowed.add(route.method());
      if (!route.method().equals(method)) {
        continue;
      }
      Map<String, String> parameters = matched.parameters();
      if (!principal.role().allows(route.role())) {
        throw new ApiException(403, "token '" + principal.name() + "' is a " + principal.role().label()
            + "; this call needs the " + route.role().label() + " role");
      }
      ApiRequest request = new ApiRequest(method, parameters, query, body, principal);
      Object before = route.changes() && route.before() != null ? route.before().handle(request) : null;
      Object answer = route.handler().handle(request);
      Role role = principal.role();
      if (answer instanceof EventStream stream) {
        return ApiResponse.stream(new EventStream(stream.event(), stream.interval(),
            () -> redaction.forRole(role, stream.next().get())));
      }
      // A POST creates or changes something (201), unless it only reads (a validation, a preview).
      ApiResponse response = answer instanceof ApiResponse made ? made
          : json(method.equals("POST") && route.changes() ? 201 : 200, redaction.forRole(role, answer));
      if (route.changes() && response.status() < 300) {
        audit.changed(principal, route, path, body, before, response.status(),
            answer instanceof ApiResponse ? parsed(response) : answer);
      }
      return response;
    }
    throw !allowed.isEmpty() ? ApiException.methodNotAllowed(method, path, allowed)
        : ApiException.notFound("there is no " + path + "; the API is described at /api/v1/openapi.json");
  }

  /** A route that fits the path, with the path's parameters. */
  private record Matched(Route route, Map<String, String> parameters) {}

  /** The routes that match the path most closely: /rollouts/preview is not a rollout's id. */
  private List<Matched> closest(List<String> segments) {
    List<Matched> closest = new ArrayList<>();
    for (Route route : routes) {
      Optional<Map<String, String>> parameters = route.match(segments);
      if (parameters.isEmpty()) {
        continue;
      }
      int fewest = closest.isEmpty() ? Integer.MAX_VALUE : closest.get(0).parameters().size();
      if (parameters.get().size() < fewest) {
        closest.clear();
      }
      if (parameters.get().size() <= fewest) {
        closest.add(new Matched(route, parameters.get()));
      }
    }
    return closest;
  }

  public static ApiResponse json(int status, Object value) {
    try {
      return ApiResponse.json(status, JSON.writeValueAsBytes(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an answer as JSON: " + e.getMessage(), e);
    }
  }

  /** The JSON of an answer made before it reached here; null for one that is not JSON. */
  private static JsonNode parsed(ApiResponse response) {
    try {
      return response.contentType().startsWith("application/json") ? JSON.readTree(response.body()) : null;
    } catch (IOException e) {
      return null;
    }
  }

  static ApiResponse error(int status, String message) {
    return json(status, Map.of("error", message, "status", status));
  }

  private static byte[] resource(String name) {
    try (InputStream in = AdminApi.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the server jar lacks " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + name + ": " + e.getMessage(), e);
    }
  }
}

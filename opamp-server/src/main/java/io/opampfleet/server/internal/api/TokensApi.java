package io.opampfleet.server.internal.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.api.Deleted;
import io.opampfleet.api.NewToken;
import io.opampfleet.api.Token;
import io.opampfleet.api.TokenRequest;
import java.util.List;

/** API tokens, for admins: list, create (the secret is shown once), delete. */
public final class TokensApi {
  private final Tokens tokens;

  public TokensApi(Tokens tokens) {
    this.tokens = tokens;
  }

  public List<Route> routes() {
    return List.of(
        new Route("GET", "/api/v1/tokens", Role.ADMIN,
            r -> tokens.list().stream().map(p -> new Token(p.name(), p.role().label())).toList()),
        new Route("POST", "/api/v1/tokens", Role.ADMIN, this::create),
        // Any token may ask whose it is: the UI offers only what its role may do.
        new Route("GET", "/api/v1/whoami", Role.VIEWER,
            r -> new Token(r.principal().name(), r.principal().role().label())),
        new Route("DELETE", "/api/v1/tokens/{name}", Role.ADMIN, r -> {
          if (!tokens.delete(r.path("name"))) {
            throw ApiException.notFound("there is no stored token '" + r.path("name")
                + "' (tokens from server.yaml are removed there)");
          }
          return new Deleted(r.path("name"));
        }).withBefore(r -> tokens.list().stream().filter(p -> p.name().equals(r.path("name")))
            .map(p -> new Token(p.name(), p.role().label())).findFirst().orElse(null)));
  }

  private Object create(ApiRequest request) {
    JsonNode body = request.json(AdminApi.JSON);
    TokenRequest asked = new TokenRequest(ApiRequest.text(body, "name"), ApiRequest.text(body, "role"));
    String name = asked.name();
    if (!name.matches("[A-Za-z0-9._-]{1,128}")) {
      throw ApiException.badRequest("a token name is letters, digits, '.', '_' and '-', up to 128");
    }
    Role role;
    try {
      role = Role.parse(asked.role());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("role must be viewer, operator or admin");
    }
    return new NewToken(name, role.label(), tokens.create(name, role),
        "keep the token now: the server stores only its hash");
  }
}

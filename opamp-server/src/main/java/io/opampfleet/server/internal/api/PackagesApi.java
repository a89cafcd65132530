package io.opampfleet.server.internal.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.api.PackageOffer;
import io.opampfleet.api.PackageUpload;
import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.hosting.PackageFiles;
import io.opampfleet.server.internal.hosting.PackageOffers;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.packages.HostedPackage;
import io.opampfleet.server.internal.rollout.RolloutEngine;
import io.opampfleet.server.internal.store.PackageRepository;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** Packages the server hosts: upload, list, offer to an agent, and the agents' downloads. */
public final class PackagesApi {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String NAME = "[A-Za-z0-9._-]{0,128}";
  /** A download token: 24 random bytes in unpadded base64url (32 characters); a little room kept. */
  private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private final PackageRepository repository;
  private final PackageFiles files;
  private final PackageOffers offers;
  private final Inventory inventory;
  private final RolloutEngine rollouts;
  private final LongSupplier clock;

  public PackagesApi(PackageRepository repository, PackageFiles files, PackageOffers offers, Inventory inventory,
      RolloutEngine rollouts, LongSupplier clock) {
    this.clock = clock;
    this.repository = repository;
    this.files = files;
    this.offers = offers;
    this.inventory = inventory;
    this.rollouts = rollouts;
  }

  public List<Route> routes() {
    return List.of(
        new Route("GET", "/api/v1/packages", Role.VIEWER, r -> repository.all().stream().map(this::view).toList()),
        new Route("POST", "/api/v1/packages", Role.ADMIN, this::upload),
        new Route("POST", "/api/v1/packages/file", Role.ADMIN, this::uploadFile),
        new Route("POST", "/api/v1/agents/{uid}/packages", Role.OPERATOR, this::offer));
  }

  /** A download by the secret token in the URL an agent was offered; no bearer token needed. */
  public ApiResponse download(String token) {
    if (!TOKEN.matcher(token).matches()) {
      // Only what a token can be reaches the store: a stranger's bytes stay out of its queries and errors.
      return AdminApi.error(404, "there is no package at this address");
    }
    return repository.byToken(token)
        .map(hosted -> ApiResponse.file("application/octet-stream", files.path(hosted.sha256())))
        .orElseGet(() -> AdminApi.error(404, "there is no package at this address"));
  }

  /** A package in a JSON body, its content base64: for small files. */
  private Object upload(ApiRequest request) {
    JsonNode body = request.json(AdminApi.JSON);
    PackageUpload asked = new PackageUpload(ApiRequest.optionalText(body, "name", ""), ApiRequest.text(body, "version"),
        ApiRequest.optionalText(body, "type", "top-level"), ApiRequest.text(body, "content"),
        ApiRequest.optionalText(body, "signature", null));
    return host(asked.name(), asked.version(), asked.type(),
        asked.signature() == null ? null : base64(asked.signature(), "signature"),
        () -> base64(asked.content(), "content"));
  }

  /** A package as the raw request body (collector archives are large), described by the query. */
  private Object uploadFile(ApiRequest request) {
    String version = request.query("version", null);
    if (version == null) {
      throw ApiException.badRequest("query parameter 'version' is required");
    }
    String signature = request.query("signature", null);
    return host(request.query("name", ""), version, request.query("type", "top-level"),
        signature == null ? null : base64(signature, "signature"), request::body);
  }

  private Object host(String name, String version, String type, byte[] signature, Supplier<byte[]> content) {
    if (!name.matches(NAME) || !version.matches(NAME)) {
      throw ApiException.badRequest("package names and versions are letters, digits, '.', '_' and '-'");
    }
    if (!type.equals("top-level") && !type.equals("addon")) {
      throw ApiException.badRequest("type must be 'top-level' or 'addon', not '" + type + "'");
    }
    if (repository.find(name, version).isPresent()) {
      throw new ApiException(409, "package " + name + "@" + version + " exists; versions are immutable, upload a new one");
    }
    byte[] bytes = content.get();
    if (bytes.length == 0) {
      throw ApiException.badRequest("the package file is empty");
    }
    String sha256 = ConfigVersion.sha256(bytes);
    byte[] token = new byte[24];
    RANDOM.nextBytes(token);
    HostedPackage hosted = new HostedPackage(name, version, type.equals("addon"), sha256, signature, bytes.length,
        Base64.getUrlEncoder().withoutPadding().encodeToString(token), Instant.ofEpochMilli(clock.getAsLong()));
    files.put(sha256, bytes);
    repository.add(hosted);
    return view(hosted);
  }

  private Object offer(ApiRequest request) {
    Agent agent = inventory.findOrLoad(request.path("uid")).orElseThrow(() -> ApiException.notFound(
        "there is no agent " + request.path("uid")));
    JsonNode body = request.json(AdminApi.JSON);
    PackageOffer asked = new PackageOffer(ApiRequest.optionalText(body, "name", ""), ApiRequest.text(body, "version"));
    String name = asked.name();
    String version = asked.version();
    HostedPackage hosted = repository.find(name, version).orElseThrow(() -> ApiException.notFound(
        "there is no package " + name + "@" + version + "; upload it with POST /api/v1/packages"));
    if (!rollouts.offer(agent, hosted, "by " + request.principal().name())) {
      throw new ApiException(409, "agent " + agent.uid() + " does not accept packages");
    }
    return Map.of("uid", agent.uid(), "offered", hosted.label(), "connected", agent.connected());
  }

  private io.opampfleet.api.HostedPackage view(HostedPackage hosted) {
    return new io.opampfleet.api.HostedPackage(hosted.name(), hosted.version(), hosted.addon() ? "addon" : "top-level",
        hosted.sha256(), hosted.size(), hosted.signature() != null, offers.downloadUrl(hosted),
        hosted.createdAt().toEpochMilli());
  }

  /** Base64 in either alphabet; a '+' that a query string turned into a space counts as '+'. */
  private static byte[] base64(String text, String field) {
    try {
      return Base64.getDecoder().decode(text.replace(' ', '+').replace('-', '+').replace('_', '/'));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("'" + field + "' must be base64: " + e.getMessage());
    }
  }
}

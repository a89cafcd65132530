package io.opampfleet.server.internal.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.api.AssignmentApplied;
import io.opampfleet.api.AssignmentRequest;
import io.opampfleet.api.ConfigBody;
import io.opampfleet.api.ConfigDiff;
import io.opampfleet.api.Conflict;
import io.opampfleet.api.Deleted;
import io.opampfleet.api.NewConfigVersion;
import io.opampfleet.api.SelectorPreview;
import io.opampfleet.api.Validation;
import io.opampfleet.server.internal.configs.Assignment;
import io.opampfleet.server.internal.configs.Assignments;
import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.configs.diff.LineDiff;
import io.opampfleet.server.internal.inventory.AgentSnapshot;
import io.opampfleet.server.internal.inventory.Fleet;
import io.opampfleet.server.internal.rollout.RolloutEngine;
import io.opampfleet.server.internal.selector.LabelSelector;
import io.opampfleet.server.internal.selector.SelectorException;
import io.opampfleet.server.internal.store.ConfigRepository;
import io.opampfleet.strictyaml.YamlFiles;
import io.opampfleet.strictyaml.YamlSyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/** Configs and their versions, diffs, and assignments by selector. */
public final class ConfigsApi {
  static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}";

  private final ConfigRepository configs;
  private final Assignments assignments;
  private final Fleet fleet;
  private final RolloutEngine rollouts;
  private final SecretRedactor secrets;
  private final LongSupplier clock;

  public ConfigsApi(ConfigRepository configs, Assignments assignments, Fleet fleet, RolloutEngine rollouts,
      SecretRedactor secrets, LongSupplier clock) {
    this.secrets = secrets;
    this.clock = clock;
    this.configs = configs;
    this.assignments = assignments;
    this.fleet = fleet;
    this.rollouts = rollouts;
  }

  public List<Route> routes() {
    return List.of(
        new Route("GET", "/api/v1/configs", Role.VIEWER, r -> configs.latestVersions().stream().map(ConfigJson::summary).toList()),
        new Route("GET", "/api/v1/configs/{name}/versions", Role.VIEWER,
            r -> existing(r.path("name")).stream().map(ConfigJson::summary).toList()),
        new Route("POST", "/api/v1/configs/{name}/versions", Role.OPERATOR, this::addVersion)
            .withBefore(r -> configs.latest(r.path("name")).map(ConfigJson::summary).orElse(null)),
        new Route("GET", "/api/v1/configs/{name}/versions/{version}", Role.VIEWER, r -> version(r.path("name"), r.path("version"))),
        new Route("GET", "/api/v1/configs/{name}/diff", Role.VIEWER, this::diff),
        new Route("GET", "/api/v1/assignments", Role.VIEWER, r -> assignments.all().stream().map(this::view).toList()),
        new Route("PUT", "/api/v1/assignments/{name}", Role.OPERATOR, this::putAssignment)
            .withBefore(this::assignmentBefore),
        new Route("DELETE", "/api/v1/assignments/{name}", Role.OPERATOR, this::deleteAssignment)
            .withBefore(this::assignmentBefore),
        new Route("GET", "/api/v1/assignments/{name}/agents", Role.VIEWER, this::assignmentAgents),
        new Route("GET", "/api/v1/conflicts", Role.VIEWER, r -> conflicts()),
        new Route("GET", "/api/v1/selectors/preview", Role.VIEWER, this::preview),
        new Route("POST", "/api/v1/configs/validate", Role.OPERATOR, this::validate).readingOnly());
  }

  private Object addVersion(ApiRequest request) {
    String name = request.path("name");
    if (!name.matches(NAME)) {
      throw ApiException.badRequest("config names are letters, digits, '.', '_' and '-', up to 128, not '" + name + "'");
    }
    JsonNode body = request.json(AdminApi.JSON);
    NewConfigVersion asked = new NewConfigVersion(ApiRequest.text(body, "body"),
        ApiRequest.optionalText(body, "comment", ""));
    String yaml = asked.body();
    String comment = asked.comment();
    if (yaml.length() > 1_000_000 || comment.length() > 2000) {
      throw new ApiException(413, "a config body is at most 1,000,000 characters and a comment at most 2,000");
    }
    Optional<ApiResponse> problem = yamlProblem(yaml, "fix it and save again");
    if (problem.isPresent()) {
      return problem.get();
    }
    if (yaml.contains(SecretRedactor.MARK)) {
      // An edit of a body read redacted: its secrets stay what the latest version has.
      try {
        yaml = secrets.restore(yaml, configs.latest(name).map(ConfigVersion::body).orElse(null));
      } catch (IllegalArgumentException e) {
        throw new ApiException(422, e.getMessage());
      }
    }
    ConfigVersion version = configs.addVersion(name, yaml, request.principal().name(), comment);
    return ConfigJson.full(version);
  }

  /** A config checked as it is being written: 200 when it would be saved, else 422 with its line and column. */
  private Object validate(ApiRequest request) {
    ConfigBody asked = new ConfigBody(ApiRequest.text(request.json(AdminApi.JSON), "body"));
    String yaml = asked.body();
    if (yaml.length() > 1_000_000) {
      throw new ApiException(413, "a config body is at most 1,000,000 characters");
    }
    return yamlProblem(yaml, "fix it before saving").map(Object.class::cast).orElse(new Validation(true));
  }

  private static Optional<ApiResponse> yamlProblem(String yaml, String advice) {
    return yamlSyntax(yaml).map(e -> {
      Map<String, Object> error = new LinkedHashMap<>();
      error.put("status", 422);
      error.put("error", "the config is " + e.getMessage() + "; " + advice);
      error.put("line", e.line());
      error.put("column", e.column());
      return AdminApi.json(422, error);
    });
  }

  /**
   * Where a config body is not YAML, if anywhere.
   *
   * @throws ApiException 422 when it is YAML but not a mapping
   */
  static Optional<YamlSyntaxException> yamlSyntax(String yaml) {
    try {
      JsonNode tree = YamlFiles.parse(yaml);
      if (!tree.isObject()) {
        throw new ApiException(422, "the config must be a YAML mapping (receivers:, exporters:, service: ...)");
      }
      return Optional.empty();
    } catch (YamlSyntaxException e) {
      return Optional.of(e);
    }
  }

  private List<ConfigVersion> existing(String name) {
    List<ConfigVersion> versions = configs.versionsWithoutBodies(name);
    if (versions.isEmpty()) {
      throw ApiException.notFound("there is no config '" + name + "'; GET /api/v1/configs lists them");
    }
    return versions;
  }

  private ConfigVersion find(String name, String version) {
    int number;
    try {
      number = Integer.parseInt(version);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("a version is a whole number, not '" + version + "'");
    }
    return configs.version(name, number).orElseThrow(() -> ApiException.notFound(
        "there is no version " + version + " of config '" + name + "'"));
  }

  private io.opampfleet.api.ConfigVersion version(String name, String version) {
    return ConfigJson.full(find(name, version));
  }

  private ConfigDiff diff(ApiRequest request) {
    String name = request.path("name");
    ConfigVersion from = find(name, request.query("from", ""));
    ConfigVersion to = find(name, request.query("to", ""));
    // A diff would show the lines of a secret's block: one who may not read them diffs the bodies as they read them.
    boolean admin = request.principal().role().allows(Role.ADMIN);
    var lines = LineDiff.between(admin ? from.body() : secrets.redact(from.body()),
        admin ? to.body() : secrets.redact(to.body()));
    return ConfigJson.diff(from.label(), to.label(), lines);
  }

  private Object putAssignment(ApiRequest request) {
    String name = request.path("name");
    if (!name.matches(NAME)) {
      throw ApiException.badRequest("assignment names are letters, digits, '.', '_' and '-', not '" + name + "'");
    }
    JsonNode body = request.json(AdminApi.JSON);
    AssignmentRequest asked = new AssignmentRequest(ApiRequest.optionalText(body, "selector", ""),
        ApiRequest.text(body, "config"), ApiRequest.integer(body, "version"));
    LabelSelector selector = selector(asked.selector());
    ConfigVersion version = find(asked.config(), String.valueOf(asked.version()));
    Assignment assignment = new Assignment(name, selector, version.name(), version.version(), Instant.ofEpochMilli(clock.getAsLong()));
    configs.saveAssignment(assignment);
    assignments.put(assignment);
    RolloutEngine.Assigned assigned = sendToAgents(assignment, version, fleet, assignments, rollouts);
    io.opampfleet.api.Assignment saved = view(assignment);
    return AdminApi.json(200, new AssignmentApplied(saved.name(), saved.selector(), saved.config(), saved.version(),
        saved.createdAt(), saved.matches(), assigned.applied(), assigned.incompatible()));
  }

  /** Sends a saved assignment's version to the agents it alone matches now (the others are in conflict). */
  static RolloutEngine.Assigned sendToAgents(Assignment assignment, ConfigVersion version, Fleet fleet,
      Assignments assignments, RolloutEngine rollouts) {
    return rollouts.assign(fleet.matching(assignment.selector()).stream()
        .filter(agent -> assignments.resolve(agent.labels()).single()).toList(), version, "assignment " + assignment.name());
  }

  private Object deleteAssignment(ApiRequest request) {
    if (!configs.deleteAssignment(request.path("name"))) {
      throw ApiException.notFound("there is no assignment '" + request.path("name") + "'");
    }
    assignments.remove(request.path("name"));
    return new Deleted(request.path("name"));
  }

  private Object assignmentAgents(ApiRequest request) {
    Assignment assignment = assignments.all().stream().filter(a -> a.name().equals(request.path("name")))
        .findFirst().orElseThrow(() -> ApiException.notFound("there is no assignment '" + request.path("name") + "'"));
    return fleet.uidsMatching(assignment.selector()).stream().sorted().toList();
  }

  private List<Conflict> conflicts() {
    List<Conflict> conflicts = new ArrayList<>();
    for (AgentSnapshot agent : fleet.overview()) {
      Assignments.Resolution resolution = assignments.resolve(agent.labels());
      if (resolution.conflict()) {
        conflicts.add(new Conflict(agent.uid(), resolution.matches().stream().map(Assignment::name).toList()));
      }
    }
    return conflicts;
  }

  private SelectorPreview preview(ApiRequest request) {
    LabelSelector selector = selector(request.query("selector", ""));
    List<String> matched = fleet.uidsMatching(selector);
    return new SelectorPreview(selector.toString(), matched.size(), matched.stream().sorted().limit(20).toList());
  }

  static LabelSelector selector(String text) {
    if (text.length() > 2000) {
      throw ApiException.badRequest("a selector is at most 2,000 characters");
    }
    try {
      return LabelSelector.parse(text);
    } catch (SelectorException e) {
      throw new ApiException(400, e.getMessage());
    }
  }

  private Object assignmentBefore(ApiRequest request) {
    return assignments.all().stream().filter(assignment -> assignment.name().equals(request.path("name")))
        .findFirst().map(this::view).orElse(null);
  }

  private io.opampfleet.api.Assignment view(Assignment assignment) {
    return ConfigJson.assignment(assignment, fleet.uidsMatching(assignment.selector()).size());
  }
}

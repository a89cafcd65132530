package io.opampfleet.server.internal.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.api.ApplyResult;
import io.opampfleet.api.DesiredState;
import io.opampfleet.server.internal.configs.Assignment;
import io.opampfleet.server.internal.configs.Assignments;
import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.configs.diff.LineDiff;
import io.opampfleet.server.internal.inventory.Fleet;
import io.opampfleet.server.internal.rollout.RolloutEngine;
import io.opampfleet.server.internal.selector.LabelSelector;
import io.opampfleet.server.internal.store.ConfigRepository;
import io.opampfleet.strictyaml.YamlSyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Configs and assignments as code: a whole desired state (configs by name, assignments naming a
 * config) compared with the server's, and applied in one transaction. A config whose body is
 * unchanged keeps its version; an assignment follows the latest version of its config, or the
 * version it pins ({@code NAME@VERSION}, one that exists). Pruning
 * deletes the assignments the request leaves out; configs are history and stay.
 */
public final class ConfigsAsCodeApi {
  /** Enough for any fleet's configs and assignments; the body limit bounds their size. */
  private static final int MAX_ITEMS = 1_000;

  private final ConfigRepository configs;
  private final Assignments assignments;
  private final Fleet fleet;
  private final RolloutEngine rollouts;
  private final SecretRedactor secrets;
  private final LongSupplier clock;

  public ConfigsAsCodeApi(ConfigRepository configs, Assignments assignments, Fleet fleet, RolloutEngine rollouts,
      SecretRedactor secrets, LongSupplier clock) {
    this.configs = configs;
    this.assignments = assignments;
    this.fleet = fleet;
    this.rollouts = rollouts;
    this.secrets = secrets;
    this.clock = clock;
  }

  public List<Route> routes() {
    return List.of(
        new Route("POST", "/api/v1/apply", Role.OPERATOR, request -> apply(request, true)).withBefore(this::before),
        new Route("POST", "/api/v1/apply/preview", Role.OPERATOR, request -> apply(request, false)).readingOnly());
  }

  /** What a request names as it stands: its configs' latest versions, its assignments (all of them when pruning). */
  private Map<String, Object> before(ApiRequest request) {
    DesiredState asked = read(request.json(AdminApi.JSON));
    Set<String> configNames = asked.configs().stream().map(DesiredState.Config::name).collect(Collectors.toSet());
    Set<String> assignmentNames = asked.assignments().stream().map(DesiredState.Assignment::name)
        .collect(Collectors.toSet());
    boolean prune = Boolean.TRUE.equals(asked.prune());
    return Map.of(
        "configs", configs.latestVersions().stream().filter(version -> configNames.contains(version.name()))
            .map(ConfigJson::summary).toList(),
        "assignments", assignments.all().stream()
            .filter(assignment -> prune || assignmentNames.contains(assignment.name()))
            .map(assignment -> ConfigJson.assignment(assignment, fleet.uidsMatching(assignment.selector()).size()))
            .toList());
  }

  /** {@code version} 0: the config's latest version, the one this request leaves it at. */
  private record DesiredAssignment(String name, LabelSelector selector, String config, int version) {}

  private Object apply(ApiRequest request, boolean write) {
    DesiredState asked = read(request.json(AdminApi.JSON));
    List<DesiredState.Config> desiredConfigs = desiredConfigs(asked.configs());
    List<DesiredAssignment> desiredAssignments = desiredAssignments(asked.assignments());
    boolean prune = Boolean.TRUE.equals(asked.prune());
    String comment = asked.comment() == null ? "" : asked.comment();
    if (comment.length() > 2000) {
      throw new ApiException(413, "a comment is at most 2,000 characters");
    }
    boolean admin = request.principal().role().allows(Role.ADMIN);
    Map<String, ConfigVersion> latest = configs.latestVersions().stream()
        .collect(Collectors.toMap(ConfigVersion::name, Function.identity()));
    Instant now = Instant.ofEpochMilli(clock.getAsLong());

    List<ConfigVersion> newVersions = new ArrayList<>();
    Map<String, Integer> versionOf = new LinkedHashMap<>();
    latest.forEach((name, version) -> versionOf.put(name, version.version()));
    List<ApplyResult.ConfigChange> configAnswers = new ArrayList<>();
    for (DesiredState.Config desired : desiredConfigs) {
      Optional<ConfigVersion> current = Optional.ofNullable(latest.get(desired.name()));
      String yaml = withSecretsKept(desired, current);
      if (current.isPresent() && current.get().sha256().equals(ConfigVersion.sha256(yaml))) {
        configAnswers.add(new ApplyResult.ConfigChange(desired.name(), "unchanged", current.get().version(), null,
            null));
      } else {
        int next = current.map(ConfigVersion::version).orElse(0) + 1;
        newVersions.add(new ConfigVersion(desired.name(), next, yaml, ConfigVersion.sha256(yaml),
            request.principal().name(), comment, now));
        versionOf.put(desired.name(), next);
        String before = current.map(ConfigVersion::body).orElse("");
        var lines = LineDiff.between(admin ? before : secrets.redact(before), admin ? yaml : secrets.redact(yaml));
        configAnswers.add(new ApplyResult.ConfigChange(desired.name(), current.isPresent() ? "changed" : "created",
            next, ConfigJson.summary(lines), LineDiff.unified(current.map(ConfigVersion::label).orElse("/dev/null"),
                desired.name() + "@" + next, lines, 3)));
      }
    }

    Map<String, Assignment> existing = assignments.all().stream()
        .collect(Collectors.toMap(Assignment::name, Function.identity()));
    List<Assignment> saved = new ArrayList<>();
    List<ApplyResult.AssignmentChange> assignmentAnswers = new ArrayList<>();
    for (DesiredAssignment desired : desiredAssignments) {
      Integer latestVersion = versionOf.get(desired.config());
      if (latestVersion == null) {
        throw new ApiException(422, "assignment '" + desired.name() + "' names config '" + desired.config()
            + "', which is neither in this request nor on the server");
      }
      if (desired.version() > latestVersion) {
        throw new ApiException(422, "assignment '" + desired.name() + "' pins " + desired.config() + "@"
            + desired.version() + ", past its latest version " + latestVersion);
      }
      int version = desired.version() == 0 ? latestVersion : desired.version();
      Assignment assignment = new Assignment(desired.name(), desired.selector(), desired.config(), version, now);
      Assignment before = existing.get(desired.name());
      boolean same = before != null && before.selector().toString().equals(desired.selector().toString())
          && before.configName().equals(desired.config()) && before.version() == version;
      if (!same) {
        saved.add(assignment);
      }
      assignmentAnswers.add(assignmentAnswer(same ? before : assignment,
          same ? "unchanged" : before == null ? "created" : "changed", before));
    }
    List<String> left = existing.keySet().stream()
        .filter(name -> desiredAssignments.stream().noneMatch(d -> d.name().equals(name))).sorted().toList();
    List<String> deleted = prune ? left : List.of();
    deleted.forEach(name -> assignmentAnswers.add(assignmentAnswer(existing.get(name), "pruned", existing.get(name))));

    boolean changes = !newVersions.isEmpty() || !saved.isEmpty() || !deleted.isEmpty();
    if (write && changes) {
      try {
        configs.apply(newVersions, saved, deleted);
      } catch (ConfigRepository.VersionConflict e) {
        throw new ApiException(409, e.getMessage());
      }
      deleted.forEach(assignments::remove);
      saved.forEach(assignments::put);
      assignAgents(saved, newVersions, assignmentAnswers);
    }
    return AdminApi.json(200, new ApplyResult(write, changes, configAnswers, assignmentAnswers,
        prune ? List.of() : left));
  }

  /** Each new or changed assignment's agents get its config now, as a saved assignment's do. */
  private void assignAgents(List<Assignment> saved, List<ConfigVersion> newVersions,
      List<ApplyResult.AssignmentChange> answers) {
    for (Assignment assignment : saved) {
      ConfigVersion version = newVersions.stream()
          .filter(v -> v.name().equals(assignment.configName()) && v.version() == assignment.version()).findFirst()
          .or(() -> configs.version(assignment.configName(), assignment.version()))
          .orElseThrow();
      RolloutEngine.Assigned assigned = ConfigsApi.sendToAgents(assignment, version, fleet, assignments, rollouts);
      answers.replaceAll(answer -> !answer.name().equals(assignment.name()) ? answer
          : new ApplyResult.AssignmentChange(answer.name(), answer.action(), answer.selector(), answer.config(),
              answer.version(), answer.was(), answer.matches(), assigned.applied(), assigned.incompatible()));
    }
  }

  private ApplyResult.AssignmentChange assignmentAnswer(Assignment assignment, String action, Assignment before) {
    ApplyResult.Was was = before != null && !action.equals("unchanged") && !action.equals("pruned")
        ? new ApplyResult.Was(before.selector().toString(), before.configName(), before.version()) : null;
    return new ApplyResult.AssignmentChange(assignment.name(), action, assignment.selector().toString(),
        assignment.configName(), assignment.version(), was, fleet.uidsMatching(assignment.selector()).size(), null,
        null);
  }

  /** A body read redacted keeps the secrets of the latest version, as an edit in the UI does. */
  private String withSecretsKept(DesiredState.Config desired, Optional<ConfigVersion> current) {
    if (!desired.body().contains(SecretRedactor.MARK)) {
      return desired.body();
    }
    try {
      return secrets.restore(desired.body(), current.map(ConfigVersion::body).orElse(null));
    } catch (IllegalArgumentException e) {
      throw new ApiException(422, "config '" + desired.name() + "': " + e.getMessage());
    }
  }

  /** The body read into the shared record, each field checked for its JSON type; a list left out is empty. */
  private static DesiredState read(JsonNode body) {
    JsonNode prune = body.path("prune");
    if (!prune.isMissingNode() && !prune.isNull() && !prune.isBoolean()) {
      throw ApiException.badRequest("'prune' is true or false");
    }
    return new DesiredState(
        items(body.path("configs"), "configs").stream()
            .map(item -> new DesiredState.Config(ApiRequest.text(item, "name"), ApiRequest.text(item, "body"))).toList(),
        items(body.path("assignments"), "assignments").stream()
            .map(item -> new DesiredState.Assignment(ApiRequest.text(item, "name"),
                ApiRequest.optionalText(item, "selector", null), ApiRequest.text(item, "config"))).toList(),
        prune.isBoolean() ? prune.asBoolean() : null,
        ApiRequest.optionalText(body, "comment", null));
  }

  private static List<DesiredState.Config> desiredConfigs(List<DesiredState.Config> asked) {
    List<DesiredState.Config> desired = new ArrayList<>();
    for (DesiredState.Config item : asked) {
      String name = item.name();
      if (!name.matches(ConfigsApi.NAME)) {
        throw new ApiException(422, "config names are letters, digits, '.', '_' and '-', up to 128, not '"
            + shown(name) + "'");
      }
      String body = item.body();
      if (body.length() > 1_000_000) {
        throw new ApiException(413, "config '" + name + "' is over 1,000,000 characters");
      }
      Optional<YamlSyntaxException> syntax;
      try {
        syntax = ConfigsApi.yamlSyntax(body);
      } catch (ApiException notAMapping) {
        throw new ApiException(422, "config '" + name + "': " + notAMapping.getMessage());
      }
      if (syntax.isPresent()) {
        throw new ApiException(422, "config '" + name + "' is " + syntax.get().getMessage() + "; fix it and apply again");
      }
      if (desired.stream().anyMatch(d -> d.name().equals(name))) {
        throw new ApiException(422, "config '" + name + "' is in the request twice");
      }
      desired.add(item);
    }
    return desired;
  }

  private static List<DesiredAssignment> desiredAssignments(List<DesiredState.Assignment> asked) {
    List<DesiredAssignment> desired = new ArrayList<>();
    for (DesiredState.Assignment item : asked) {
      String name = item.name();
      if (!name.matches(ConfigsApi.NAME)) {
        throw new ApiException(422, "assignment names are letters, digits, '.', '_' and '-', up to 128, not '"
            + shown(name) + "'");
      }
      LabelSelector selector;
      try {
        selector = ConfigsApi.selector(item.selector() == null ? "" : item.selector());
      } catch (ApiException e) {
        throw new ApiException(422, "assignment '" + name + "': " + e.getMessage());
      }
      if (desired.stream().anyMatch(d -> d.name().equals(name))) {
        throw new ApiException(422, "assignment '" + name + "' is in the request twice");
      }
      String config = item.config();
      int at = config.lastIndexOf('@');
      int version = 0;
      if (at > 0) {
        try {
          version = Integer.parseInt(config.substring(at + 1));
        } catch (NumberFormatException e) {
          version = -1;
        }
        if (version < 1) {
          throw new ApiException(422, "assignment '" + name + "': a config is NAME or NAME@VERSION (from 1), not '"
              + shown(config) + "'");
        }
        config = config.substring(0, at);
      }
      desired.add(new DesiredAssignment(name, selector, config, version));
    }
    return desired;
  }

  /** A name the request got wrong, shown at most this long: it is a stranger's text until it is checked. */
  private static String shown(String name) {
    return name.length() <= 64 ? name : name.substring(0, 64) + "...";
  }

  private static List<JsonNode> items(JsonNode list, String field) {
    if (list.isMissingNode() || list.isNull()) {
      return List.of();
    }
    if (!list.isArray()) {
      throw ApiException.badRequest("'" + field + "' is a list");
    }
    if (list.size() > MAX_ITEMS) {
      throw new ApiException(413, "at most " + MAX_ITEMS + " " + field + " in one request");
    }
    List<JsonNode> items = new ArrayList<>();
    list.forEach(item -> {
      if (!item.isObject()) {
        throw ApiException.badRequest("each of '" + field + "' is an object");
      }
      items.add(item);
    });
    return items;
  }
}

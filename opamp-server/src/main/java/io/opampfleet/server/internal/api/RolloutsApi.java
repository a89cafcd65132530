package io.opampfleet.server.internal.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opampfleet.api.FleetSummary;
import io.opampfleet.api.Rollout;
import io.opampfleet.api.RolloutRequest;
import io.opampfleet.server.internal.rollout.FailureBudget;
import io.opampfleet.server.internal.rollout.PackageTarget;
import io.opampfleet.server.internal.rollout.RolloutEngine;
import io.opampfleet.server.internal.rollout.RolloutPlan;
import io.opampfleet.server.internal.rollout.RolloutView;
import io.opampfleet.server.internal.rollout.Stage;
import io.opampfleet.server.internal.rollout.WavePlan;
import io.opampfleet.strictyaml.GoDuration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/** Rollouts: start one, follow it (also live), pause, resume, abort. */
public final class RolloutsApi {
  private final RolloutEngine engine;
  private final Supplier<FleetSummary> fleetSummary;

  public RolloutsApi(RolloutEngine engine, Supplier<FleetSummary> fleetSummary) {
    this.engine = engine;
    this.fleetSummary = fleetSummary;
  }

  public List<Route> routes() {
    return List.of(
        new Route("GET", "/api/v1/rollouts", Role.VIEWER, r -> engine.list().stream().map(RolloutJson::of).toList()),
        new Route("POST", "/api/v1/rollouts", Role.OPERATOR, this::create),
        new Route("POST", "/api/v1/rollouts/preview", Role.VIEWER, this::preview).readingOnly(),
        new Route("GET", "/api/v1/rollouts/{id}", Role.VIEWER, r -> RolloutJson.of(find(r))),
        new Route("POST", "/api/v1/rollouts/{id}/pause", Role.OPERATOR, r -> RolloutJson.of(engine.pause(id(r), r.principal().name())))
            .withBefore(this::stateBefore),
        new Route("POST", "/api/v1/rollouts/{id}/resume", Role.OPERATOR, r -> RolloutJson.of(engine.resume(id(r), r.principal().name())))
            .withBefore(this::stateBefore),
        new Route("POST", "/api/v1/rollouts/{id}/abort", Role.OPERATOR, r -> RolloutJson.of(engine.abort(id(r), r.principal().name())))
            .withBefore(this::stateBefore),
        new Route("GET", "/api/v1/rollouts/{id}/stream", Role.VIEWER, this::stream),
        new Route("GET", "/api/v1/stream", Role.VIEWER, r -> new EventStream("fleet", Duration.ofSeconds(1), this::fleet)));
  }

  private Rollout create(ApiRequest request) {
    Request asked = request(request);
    return RolloutJson.of(engine.create(asked.plan(), asked.packageFrom(), request.principal().name(),
        asked.refuseIncompatible()));
  }

  private io.opampfleet.api.RolloutPreview preview(ApiRequest request) {
    Request asked = request(request);
    return RolloutJson.of(engine.preview(asked.plan(), asked.packageFrom(), asked.refuseIncompatible()));
  }

  /** A rollout as asked for in a request's body. */
  private record Request(RolloutPlan plan, String packageFrom, boolean refuseIncompatible) {}

  private static Request request(ApiRequest request) {
    RolloutRequest asked = read(request.json(AdminApi.JSON));
    RolloutPlan plan;
    try {
      Duration bake = duration("bake", asked.bake(), Duration.ZERO);
      plan = new RolloutPlan(
          ConfigsApi.selector(orElse(asked.selector(), "")),
          asked.config(),
          asked.config() == null ? 0 : asked.version(),
          WavePlan.parse(orElse(asked.waves(), "100%")),
          bake,
          FailureBudget.parse(orElse(asked.failureBudget(), "0")),
          duration("applyTimeout", asked.applyTimeout(), Duration.ofMinutes(2)),
          stages(asked, bake),
          asked.hostedPackage() == null ? null
              : new PackageTarget(orElse(asked.hostedPackage().name(), ""), asked.hostedPackage().version()),
          duration("offlineDeadline", asked.offlineDeadline(), Duration.ZERO));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    String incompatible = orElse(asked.incompatible(), "skip");
    if (!incompatible.equals("skip") && !incompatible.equals("refuse")) {
      throw ApiException.badRequest("incompatible must be 'skip' (leave out agents that lack components the config"
          + " names) or 'refuse' (refuse the rollout), not '" + incompatible + "'");
    }
    String from = asked.hostedPackage() == null ? null : asked.hostedPackage().from();
    return new Request(plan, from, incompatible.equals("refuse"));
  }

  /**
   * The body read into the shared record, each field checked for its JSON type. A field given as
   * null is one left out, as the document says; without a package, config and version are needed.
   */
  private static RolloutRequest read(JsonNode body) {
    boolean withConfig = body.hasNonNull("config") || !body.hasNonNull("package");
    return new RolloutRequest(
        ApiRequest.optionalText(body, "selector", null),
        withConfig ? ApiRequest.text(body, "config") : null,
        withConfig ? ApiRequest.integer(body, "version") : null,
        ApiRequest.optionalText(body, "waves", null),
        ApiRequest.optionalText(body, "bake", null),
        ApiRequest.optionalText(body, "failureBudget", null),
        ApiRequest.optionalText(body, "applyTimeout", null),
        ApiRequest.optionalText(body, "incompatible", null),
        stages(body),
        packageVersion(body),
        ApiRequest.optionalText(body, "offlineDeadline", null));
  }

  /** The package the rollout installs, {@code {"name": "otelcol", "version": "0.150.0"}}; null when absent. */
  private static RolloutRequest.PackageVersion packageVersion(JsonNode body) {
    JsonNode pkg = body.get("package");
    if (pkg == null || pkg.isNull()) {
      return null;
    }
    if (!pkg.isObject()) {
      throw ApiException.badRequest("package is {\"name\": \"otelcol\", \"version\": \"0.150.0\", \"from\": \"0.149.0\"}"
          + " (from: the hosted version agents run that report none; optional)");
    }
    return new RolloutRequest.PackageVersion(ApiRequest.optionalText(pkg, "name", null), ApiRequest.text(pkg, "version"),
        ApiRequest.optionalText(pkg, "from", null));
  }

  /** Stages by selector, each {@code {"selector": "env=dev", "bake": "10m"}}; null when absent. */
  private static List<RolloutRequest.Stage> stages(JsonNode body) {
    JsonNode list = body.path("stages");
    if (list.isMissingNode() || list.isNull()) {
      return null;
    }
    if (!list.isArray() || list.isEmpty()) {
      throw ApiException.badRequest("stages must be a list of {\"selector\": \"env=dev\", \"bake\": \"10m\"}");
    }
    List<RolloutRequest.Stage> stages = new ArrayList<>();
    for (JsonNode stage : list) {
      if (!stage.isObject()) {
        throw ApiException.badRequest("each stage is {\"selector\": \"env=dev\", \"bake\": \"10m\"}");
      }
      stages.add(new RolloutRequest.Stage(ApiRequest.text(stage, "selector"), ApiRequest.optionalText(stage, "bake", null)));
    }
    return stages;
  }

  /** The stages asked for, each baked for its own time or the rollout's; none when waves are by share. */
  private static List<Stage> stages(RolloutRequest asked, Duration bake) {
    if (asked.stages() == null) {
      return List.of();
    }
    if (asked.waves() != null) {
      throw ApiException.badRequest("give waves (shares or counts) or stages (selectors), not both");
    }
    List<Stage> stages = new ArrayList<>();
    for (RolloutRequest.Stage stage : asked.stages()) {
      stages.add(new Stage(ConfigsApi.selector(stage.selector()), duration("bake", stage.bake(), bake)));
    }
    return stages;
  }

  private static String orElse(String value, String otherwise) {
    return value == null ? otherwise : value;
  }

  private static Duration duration(String field, String text, Duration otherwise) {
    if (text == null) {
      return otherwise;
    }
    Duration duration;
    try {
      duration = GoDuration.parse(text);
    } catch (RuntimeException e) {
      throw ApiException.badRequest("'" + field + "' must be a duration such as 30s or 2m, not '" + text + "'");
    }
    if (duration.isNegative() || duration.compareTo(Duration.ofDays(7)) > 0
        || (field.equals("applyTimeout") && duration.isZero())) {
      throw ApiException.badRequest("'" + field + "' must be " + (field.equals("applyTimeout") ? "above zero" : "zero or more")
          + " and at most 7 days, not '" + text + "'");
    }
    return duration;
  }

  private static long id(ApiRequest request) {
    try {
      return Long.parseLong(request.path("id"));
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("a rollout id is a number, not '" + request.path("id") + "'");
    }
  }

  /** What an operator's pause, resume or abort changes: the rollout's state. */
  private Object stateBefore(ApiRequest request) {
    return engine.view(id(request)).map(view -> Map.of("state", view.state(), "currentWave", view.currentWave()))
        .orElse(null);
  }

  private RolloutView find(ApiRequest request) {
    return engine.view(id(request)).orElseThrow(() -> ApiException.notFound("there is no rollout " + request.path("id")));
  }

  /** The rollout's view twice a second; the stream ends after the view that shows it finished. */
  private EventStream stream(ApiRequest request) {
    find(request);
    long id = id(request);
    AtomicBoolean ended = new AtomicBoolean();
    return new EventStream("rollout", Duration.ofMillis(500), () -> {
      if (ended.get()) {
        return null;
      }
      RolloutView view = engine.view(id).orElse(null);
      if (view == null || view.state().finished()) {
        ended.set(true);
      }
      return view == null ? null : RolloutJson.of(view);
    });
  }

  /** The fleet's counts and the rollouts under way, in one event. */
  private Object fleet() {
    ObjectNode event = AdminApi.JSON.valueToTree(fleetSummary.get());
    event.set("rollouts", AdminApi.JSON.valueToTree(engine.list().stream().filter(r -> !r.state().finished())
        .map(RolloutJson::of).toList()));
    return event;
  }
}

package io.opampfleet.server.internal.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opampfleet.api.FleetSummary;
import io.opampfleet.api.Rollout;
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
    JsonNode body = request.json(AdminApi.JSON);
    RolloutPlan plan;
    try {
      // A field given as null is one left out, as the document says.
      boolean withConfig = body.hasNonNull("config") || !body.hasNonNull("package");
      plan = new RolloutPlan(
          ConfigsApi.selector(ApiRequest.optionalText(body, "selector", "")),
          withConfig ? ApiRequest.text(body, "config") : null,
          withConfig ? ApiRequest.integer(body, "version") : 0,
          WavePlan.parse(ApiRequest.optionalText(body, "waves", "100%")),
          duration(body, "bake", Duration.ZERO),
          FailureBudget.parse(ApiRequest.optionalText(body, "failureBudget", "0")),
          duration(body, "applyTimeout", Duration.ofMinutes(2)),
          stages(body),
          packageTarget(body),
          duration(body, "offlineDeadline", Duration.ZERO));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    String incompatible = ApiRequest.optionalText(body, "incompatible", "skip");
    if (!incompatible.equals("skip") && !incompatible.equals("refuse")) {
      throw ApiException.badRequest("incompatible must be 'skip' (leave out agents that lack components the config"
          + " names) or 'refuse' (refuse the rollout), not '" + incompatible + "'");
    }
    String from = body.path("package").has("from") ? ApiRequest.text(body.get("package"), "from") : null;
    return new Request(plan, from, incompatible.equals("refuse"));
  }

  /** The package the rollout installs, {@code {"name": "otelcol", "version": "0.150.0"}}; null when absent. */
  private static PackageTarget packageTarget(JsonNode body) {
    JsonNode pkg = body.get("package");
    if (pkg == null || pkg.isNull()) {
      return null;
    }
    if (!pkg.isObject()) {
      throw ApiException.badRequest("package is {\"name\": \"otelcol\", \"version\": \"0.150.0\", \"from\": \"0.149.0\"}"
          + " (from: the hosted version agents run that report none; optional)");
    }
    return new PackageTarget(ApiRequest.optionalText(pkg, "name", ""), ApiRequest.text(pkg, "version"));
  }

  /** Stages by selector, each {@code {"selector": "env=dev", "bake": "10m"}}; none when absent. */
  private static List<Stage> stages(JsonNode body) {
    JsonNode list = body.path("stages");
    if (list.isMissingNode() || list.isNull()) {
      return List.of();
    }
    if (!list.isArray() || list.isEmpty()) {
      throw ApiException.badRequest("stages must be a list of {\"selector\": \"env=dev\", \"bake\": \"10m\"}");
    }
    if (body.hasNonNull("waves")) {
      throw ApiException.badRequest("give waves (shares or counts) or stages (selectors), not both");
    }
    List<Stage> stages = new ArrayList<>();
    for (JsonNode stage : list) {
      if (!stage.isObject()) {
        throw ApiException.badRequest("each stage is {\"selector\": \"env=dev\", \"bake\": \"10m\"}");
      }
      stages.add(new Stage(ConfigsApi.selector(ApiRequest.text(stage, "selector")), duration(stage, "bake",
          duration(body, "bake", Duration.ZERO))));
    }
    return stages;
  }

  private static Duration duration(JsonNode body, String field, Duration otherwise) {
    String text = ApiRequest.optionalText(body, field, null);
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

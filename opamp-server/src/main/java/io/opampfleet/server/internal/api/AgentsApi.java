package io.opampfleet.server.internal.api;

import io.opampfleet.api.AgentPage;
import io.opampfleet.api.AgentSummary;
import io.opampfleet.api.ConfigPush;
import io.opampfleet.api.FleetSummary;
import io.opampfleet.server.internal.configs.ComponentCheck;
import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.inventory.Agent;
import io.opampfleet.server.internal.inventory.AgentSnapshot;
import io.opampfleet.server.internal.inventory.Fleet;
import io.opampfleet.server.internal.inventory.Inventory;
import io.opampfleet.server.internal.opamp.AgentCommands;
import io.opampfleet.server.internal.opamp.OperatorCommands;
import io.opampfleet.server.internal.rollout.RolloutEngine;
import io.opampfleet.server.internal.selector.LabelSelector;
import io.opampfleet.server.internal.selector.SelectorException;
import io.opampfleet.server.internal.store.CommandRepository.Kind;
import io.opampfleet.server.internal.store.ConfigRepository;
import io.opampfleet.server.internal.store.EventLog;
import io.opampfleet.server.internal.store.WriteBehind;
import io.opampfleet.server.internal.telemetry.AgentTelemetry;
import io.opampfleet.server.internal.telemetry.FleetTelemetry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/** Agents: the filtered, paged list, one agent, its events, and what can be done to it. */
public final class AgentsApi {
  private final Inventory inventory;
  private final Fleet fleet;
  private final ConfigRepository configs;
  private final EventLog events;
  private final WriteBehind writes;
  private final AgentCommands commands;
  private final OperatorCommands operator;
  private final RolloutEngine rollouts;
  private final FleetTelemetry telemetry;
  private final LongSupplier clock;

  public AgentsApi(Inventory inventory, Fleet fleet, ConfigRepository configs, EventLog events, WriteBehind writes,
      AgentCommands commands, OperatorCommands operator, RolloutEngine rollouts, FleetTelemetry telemetry,
      LongSupplier clock) {
    this.clock = clock;
    this.telemetry = telemetry;
    this.inventory = inventory;
    this.fleet = fleet;
    this.configs = configs;
    this.events = events;
    this.writes = writes;
    this.commands = commands;
    this.operator = operator;
    this.rollouts = rollouts;
  }

  public List<Route> routes() {
    return List.of(
        new Route("GET", "/api/v1/agents", Role.VIEWER, this::list),
        new Route("GET", "/api/v1/agents/{uid}", Role.VIEWER, this::detail),
        new Route("GET", "/api/v1/agents/{uid}/events", Role.VIEWER,
            r -> events.recent(agent(r).uid(), r.queryInt("limit", 50, 1, 1000)).stream()
                .map(event -> new io.opampfleet.api.AgentEvent(event.uid(), event.at(), event.kind().name(),
                    event.detail())).toList()),
        new Route("GET", "/api/v1/agents/{uid}/rollouts", Role.VIEWER, r -> rollouts.attempts(agent(r).uid()).stream()
            .map(RolloutJson::of).toList()),
        new Route("GET", "/api/v1/agents/{uid}/telemetry", Role.VIEWER, this::ownTelemetry),
        new Route("POST", "/api/v1/agents/{uid}/config", Role.OPERATOR, this::push)
            .withBefore(r -> Collections.singletonMap("desiredConfig", AgentJson.desiredConfig(agent(r).snapshot()))),
        new Route("POST", "/api/v1/agents/{uid}/restart", Role.OPERATOR, this::restart),
        new Route("POST", "/api/v1/agents/{uid}/certificate", Role.OPERATOR, this::rotateCertificate)
            .withBefore(r -> certificate(agent(r).snapshot())),
        new Route("GET", "/api/v1/fleet", Role.VIEWER, r -> summary()));
  }

  /** Counts by state, for the top of the fleet page and the live stream. */
  public FleetSummary summary() {
    int connected = 0;
    int healthy = 0;
    int drifted = 0;
    Map<String, Integer> statuses = new TreeMap<>();
    int total = 0;
    for (AgentSnapshot snapshot : fleet.overview()) {
      total++;
      connected += snapshot.connected() ? 1 : 0;
      healthy += snapshot.healthy() ? 1 : 0;
      drifted += snapshot.drift().isPresent() ? 1 : 0;
      statuses.merge(AgentJson.status(snapshot), 1, Integer::sum);
    }
    FleetTelemetry.Counts figures = telemetry.counts(clock.getAsLong());
    return new FleetSummary(total, connected, healthy, drifted, statuses, figures.reporting(), figures.dropping(),
        figures.queueFilling());
  }

  private io.opampfleet.api.Agent detail(ApiRequest request) {
    AgentSnapshot agent = agent(request).snapshot();
    return AgentJson.detail(agent, telemetry.summary(agent.uid(), clock.getAsLong()).map(TelemetryJson::summary)
        .orElse(null));
  }

  private AgentPage list(ApiRequest request) {
    long now = clock.getAsLong();
    // Looked up once per agent, absent ones too: a sort's comparisons must see the same figures throughout.
    Map<String, Optional<AgentTelemetry.Summary>> figures = new HashMap<>();
    Function<AgentSnapshot, AgentTelemetry.Summary> figuresOf = agent -> figures.computeIfAbsent(agent.uid(),
        uid -> telemetry.summary(uid, now)).orElse(null);
    Predicate<AgentSnapshot> filter = filter(request).and(TelemetryJson.filter(request, figuresOf));
    List<AgentSnapshot> matched = new ArrayList<>();
    for (AgentSnapshot snapshot : fleet.overview()) {
      if (filter.test(snapshot)) {
        matched.add(snapshot);
      }
    }
    matched.sort(order(request.query("sort", "uid"), figuresOf));
    int size = request.queryInt("size", 50, 1, 1000);
    int page = request.queryInt("page", 1, 1, Integer.MAX_VALUE);
    // In long: a page far past the end (page * size beyond 2^31) is empty, not a negative index.
    int from = (int) Math.min(matched.size(), (page - 1L) * size);
    List<AgentSummary> rows = matched.subList(from, Math.min(matched.size(), from + size)).stream()
        .map(agent -> AgentJson.row(agent, Optional.ofNullable(figuresOf.apply(agent)).map(TelemetryJson::summary)
            .orElse(null)))
        .toList();
    return new AgentPage(matched.size(), page, size, rows);
  }

  static Predicate<AgentSnapshot> filter(ApiRequest request) {
    LabelSelector selector;
    try {
      selector = LabelSelector.parse(request.query("selector", ""));
    } catch (SelectorException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    Predicate<AgentSnapshot> filter = a -> selector.matches(a.labels());
    String health = request.query("health", null);
    if (health != null) {
      if (!health.equals("healthy") && !health.equals("unhealthy")) {
        throw ApiException.badRequest("health must be 'healthy' or 'unhealthy', not '" + health + "'");
      }
      boolean wanted = health.equals("healthy");
      filter = filter.and(a -> a.healthy() == wanted);
    }
    String status = request.query("status", null);
    if (status != null) {
      filter = filter.and(a -> AgentJson.status(a).equalsIgnoreCase(status));
    }
    Optional<Boolean> connected = request.queryBoolean("connected");
    if (connected.isPresent()) {
      filter = filter.and(a -> a.connected() == connected.get());
    }
    Optional<Boolean> drift = request.queryBoolean("drift");
    if (drift.isPresent()) {
      filter = filter.and(a -> a.drift().isPresent() == drift.get());
    }
    String replica = request.query("replica", null);
    if (replica != null) {
      filter = filter.and(a -> a.connected() && a.heldBy().equals(replica));
    }
    String config = request.query("config", null);
    if (config != null) {
      filter = filter.and(a -> a.desired() != null
          && (a.desired().label().equals(config) || a.desired().name().equals(config)));
    }
    return filter;
  }

  private static Comparator<AgentSnapshot> order(String sort,
      Function<AgentSnapshot, AgentTelemetry.Summary> figuresOf) {
    boolean descending = sort.startsWith("-");
    String key = descending ? sort.substring(1) : sort;
    Optional<Comparator<AgentSnapshot>> byFigures = TelemetryJson.order(key, figuresOf, descending);
    if (byFigures.isPresent()) {
      return byFigures.get().thenComparing(AgentSnapshot::uid);
    }
    Comparator<AgentSnapshot> order = switch (key) {
      case "uid" -> Comparator.comparing(AgentSnapshot::uid);
      case "lastSeen" -> Comparator.comparingLong(AgentSnapshot::lastSeen);
      case "connectedSince" -> Comparator.comparingLong(AgentSnapshot::connectedSince);
      case "status" -> Comparator.comparing(AgentJson::status);
      case "healthy" -> Comparator.comparing(AgentSnapshot::healthy);
      case "replica" -> Comparator.comparing((AgentSnapshot a) -> a.connected() ? a.heldBy() : "");
      default -> {
        if (!key.startsWith("label.")) {
          throw ApiException.badRequest("sort must be uid, lastSeen, connectedSince, status, healthy, replica, cpu,"
              + " memory, throughput or label.<name>, with '-' in front for descending; not '" + sort + "'");
        }
        String label = key.substring(6);
        yield Comparator.comparing(a -> a.labels().getOrDefault(label, ""));
      }
    };
    order = order.thenComparing(AgentSnapshot::uid);
    return descending ? order.reversed() : order;
  }

  private Object ownTelemetry(ApiRequest request) {
    Agent agent = agent(request);
    // A known agent with no figures yet has an empty window: the page asks before its first report arrives.
    return TelemetryJson.view(telemetry.view(agent.uid(), clock.getAsLong()).orElse(AgentTelemetry.View.NONE));
  }

  private Agent agent(ApiRequest request) {
    return inventory.findOrLoad(request.path("uid")).orElseThrow(() -> ApiException.notFound(
        "there is no agent " + request.path("uid") + "; GET /api/v1/agents lists them"));
  }

  private Object push(ApiRequest request) {
    Agent agent = agent(request);
    var body = request.json(AdminApi.JSON);
    ConfigPush push = new ConfigPush(ApiRequest.text(body, "config"), ApiRequest.integer(body, "version"));
    ConfigVersion config = configs.version(push.config(), push.version()).orElseThrow(() -> ApiException.notFound(
        "there is no config " + push.config() + "@" + push.version()));
    List<String> missing = ComponentCheck.missing(config.body(), agent.snapshot().availableComponents());
    if (!missing.isEmpty()) {
      throw new ApiException(422, "agent " + agent.uid() + " lacks components " + config.label() + " names: "
          + String.join(", ", missing) + " (they are not among the components it reports); nothing was sent");
    }
    rollouts.push(agent, config, "pushed by " + request.principal().name());
    return Map.of("uid", agent.uid(), "desiredConfig", config.label(), "connected", agent.connected());
  }

  private Object rotateCertificate(ApiRequest request) {
    Agent agent = agent(request);
    if (!commands.canSign()) {
      throw new ApiException(409, "this server signs no certificates; configure signing (ca_cert_file, ca_key_file)");
    }
    return answer(agent, "certificate", "offered", operator.ask(agent, Kind.ROTATE_CERTIFICATE,
        request.principal().name()), "accept connection settings");
  }

  /** The certificate an agent is bound to (subject and fingerprint); null for one bound to none. */
  private static Map<String, String> certificate(AgentSnapshot agent) {
    return agent.certificateSha256().isEmpty() ? null
        : Map.of("subject", agent.certificateSubject(), "sha256", agent.certificateSha256());
  }

  private Object restart(ApiRequest request) {
    Agent agent = agent(request);
    return answer(agent, "restart", "sent", operator.ask(agent, Kind.RESTART, request.principal().name()),
        "accept restart commands");
  }

  /** What became of a command: sent, asked of the server holding the agent (202), or why not (409). */
  private static Object answer(Agent agent, String field, String sent, OperatorCommands.Outcome outcome,
      String capability) {
    return switch (outcome) {
      case SENT -> Map.of("uid", agent.uid(), field, sent);
      case ASKED_ELSEWHERE -> AdminApi.json(202, Map.of("uid", agent.uid(), field, "asked of "
          + agent.snapshot().heldBy() + ", the server holding the agent's connection"));
      case AT_NEXT_POLL -> AdminApi.json(202, Map.of("uid", agent.uid(), field, "asked for the agent's next poll,"
          + " on whichever server it reaches"));
      case NOT_CONNECTED -> throw new ApiException(409, "agent " + agent.uid() + " is not connected");
      case NOT_CAPABLE -> throw new ApiException(409, "agent " + agent.uid() + " does not " + capability);
    };
  }
}

package io.opampfleet.server.telemetry;

import io.opampfleet.server.settings.ServerSettings.OwnTelemetry;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The own figures of every agent that sent some to this server, each in its bounded window, and
 * each agent's allowance of requests (one agent's flood is refused without slowing the others).
 */
public final class FleetTelemetry {
  private final OwnTelemetry settings;
  private final Map<String, Kept> agents = new ConcurrentHashMap<>();

  private record Kept(AgentTelemetry telemetry, RequestAllowance allowance) {}

  /** How many agents report, and how many of them drop data or fill a queue. */
  public record Counts(int reporting, int dropping, int queueFilling) {}

  public FleetTelemetry(OwnTelemetry settings) {
    this.settings = settings;
  }

  /** How long the agent should wait before its next request, when it is over its allowance; empty to go on. */
  public Optional<Duration> overAllowance(String uid, long now) {
    long wait = kept(uid).allowance().take(now);
    return wait == 0 ? Optional.empty() : Optional.of(Duration.ofMillis(wait));
  }

  public void record(String uid, OwnMetricsReading reading, long now) {
    kept(uid).telemetry().record(reading, now);
  }

  public Optional<AgentTelemetry.Summary> summary(String uid, long now) {
    Kept kept = agents.get(uid);
    return kept == null ? Optional.empty() : Optional.ofNullable(kept.telemetry().summary(now));
  }

  public Optional<AgentTelemetry.View> view(String uid, long now) {
    Kept kept = agents.get(uid);
    return kept == null ? Optional.empty() : Optional.of(kept.telemetry().view(now));
  }

  public Counts counts(long now) {
    int reporting = 0;
    int dropping = 0;
    int filling = 0;
    for (Kept kept : agents.values()) {
      AgentTelemetry.Summary summary = kept.telemetry().summary(now);
      if (summary != null) {
        reporting++;
        dropping += summary.dropping() ? 1 : 0;
        filling += summary.queueFilling() ? 1 : 0;
      }
    }
    return new Counts(reporting, dropping, filling);
  }

  /** Drops what is kept for an agent the fleet no longer has. */
  public void forget(String uid) {
    agents.remove(uid);
  }

  private Kept kept(String uid) {
    return agents.computeIfAbsent(uid, key -> new Kept(
        new AgentTelemetry(settings.samples(), settings.window().toMillis()),
        new RequestAllowance(settings.requestsPerMinute(), System.currentTimeMillis())));
  }
}

package io.opampfleet.server.internal.telemetry;

import com.google.common.base.Suppliers;
import io.opampfleet.server.internal.DaemonThreads;
import io.opampfleet.server.internal.ScheduledJob;
import io.opampfleet.server.internal.store.OwnMetricsRepository;
import io.opampfleet.server.settings.ServerSettings.OwnTelemetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The own figures of every agent that sent some to this server, each in its bounded window, and
 * each agent's allowance of requests (one agent's flood is refused without slowing the others).
 *
 * <p>Servers sharing a store also write what they receive to it, once a second, and read every
 * agent's figures from it, so that each shows the same whichever one an agent's requests reached; a
 * window idle here for a while is dropped from memory and read again from the store if its agent
 * comes back.
 *
 * <p>An agent counts as reporting while its latest figures are within the window; once they are older,
 * it is forgotten (here and in the shared store), so that agents that come and go do not pile up.
 */
public final class FleetTelemetry implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FleetTelemetry.class);
  private static final long IDLE_MILLIS = 5 * 60_000;

  private final OwnTelemetry settings;
  private final Optional<OwnMetricsRepository> shared;
  private final Map<String, Kept> agents = new ConcurrentHashMap<>();
  private final Set<String> unwritten = ConcurrentHashMap.newKeySet();
  private final Supplier<Map<String, OwnMetricsRepository.Row>> stored;
  private final ScheduledExecutorService upkeep;

  private record Kept(AgentTelemetry telemetry, RequestAllowance allowance) {}

  /** How many agents report, and how many of them drop data or fill a queue. */
  /**
   * Agents reporting, dropping data and with queues filling, and the fleet's totals of their latest
   * figures (a figure an agent has not sent yet counts as none).
   */
  public record Counts(int reporting, int dropping, int queueFilling, double cpuPercent, double rssBytes,
      double acceptedPerSecond, double sentPerSecond) {}

  /** {@code shared}: the store of servers sharing it; empty for a server alone, which keeps the figures in memory. */
  public FleetTelemetry(OwnTelemetry settings, Optional<OwnMetricsRepository> shared) {
    this.settings = settings;
    this.shared = shared;
    this.stored = Suppliers.memoizeWithExpiration(this::readStored, Duration.ofSeconds(1));
    upkeep = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("own-metrics-upkeep"));
    if (shared.isPresent()) {
      // What one run could not write is written with the next change.
      upkeep.scheduleWithFixedDelay(ScheduledJob.keptRunning("agents' own metrics: writing to the store", this::write),
          1, 1, TimeUnit.SECONDS);
    }
    upkeep.scheduleWithFixedDelay(ScheduledJob.keptRunning("agents' own metrics: forgetting old figures",
        () -> forgetOld(System.currentTimeMillis())), 1, 1, TimeUnit.MINUTES);
  }

  public FleetTelemetry(OwnTelemetry settings) {
    this(settings, Optional.empty());
  }

  /** How long the agent should wait before its next request, when it is over its allowance; empty to go on. */
  public Optional<Duration> overAllowance(String uid, long now) {
    long wait = kept(uid).allowance().take(now);
    return wait == 0 ? Optional.empty() : Optional.of(Duration.ofMillis(wait));
  }

  public void record(String uid, OwnMetricsReading reading, long now) {
    Kept kept = kept(uid);
    if (shared.isPresent()) {
      kept = latestOf(uid, kept, now);
      unwritten.add(uid);
    }
    kept.telemetry().record(reading, now);
  }

  /**
   * The agent's window here, or the stored one when another server took later figures of the agent
   * (a balancer that sends its requests to one server and then another): the servers go on from
   * the latest window rather than each from its own.
   */
  private Kept latestOf(String uid, Kept kept, long now) {
    OwnMetricsRepository.Row row = stored.get().get(uid);
    AgentTelemetry.Summary here = kept.telemetry().summary(now);
    if (row == null || unwritten.contains(uid) || here != null && row.at() <= here.at()) {
      return kept;
    }
    Kept latest = new Kept(window(uid), kept.allowance());
    agents.put(uid, latest);
    return latest;
  }

  /** The agent's latest figures, while they are within the window. */
  public Optional<AgentTelemetry.Summary> summary(String uid, long now) {
    if (shared.isPresent()) {
      return Optional.ofNullable(stored.get().get(uid)).map(row -> summary(row, now)).filter(s -> current(s, now));
    }
    Kept kept = agents.get(uid);
    return kept == null ? Optional.empty()
        : Optional.ofNullable(kept.telemetry().summary(now)).filter(s -> current(s, now));
  }

  public Optional<AgentTelemetry.View> view(String uid, long now) {
    if (shared.isPresent()) {
      return shared.get().window(uid).map(AgentTelemetry::decode).filter(window -> !window.empty())
          .map(window -> window.view(now));
    }
    Kept kept = agents.get(uid);
    return kept == null || kept.telemetry().empty() ? Optional.empty() : Optional.of(kept.telemetry().view(now));
  }

  public Counts counts(long now) {
    List<AgentTelemetry.Summary> summaries = new ArrayList<>();
    if (shared.isPresent()) {
      stored.get().values().forEach(row -> summaries.add(summary(row, now)));
    } else {
      agents.values().forEach(kept -> Optional.ofNullable(kept.telemetry().summary(now)).ifPresent(summaries::add));
    }
    summaries.removeIf(summary -> !current(summary, now));
    int dropping = (int) summaries.stream().filter(AgentTelemetry.Summary::dropping).count();
    int filling = (int) summaries.stream().filter(AgentTelemetry.Summary::queueFilling).count();
    return new Counts(summaries.size(), dropping, filling, total(summaries, AgentTelemetry.Summary::cpuPercent),
        total(summaries, AgentTelemetry.Summary::rssBytes), total(summaries, AgentTelemetry.Summary::acceptedPerSecond),
        total(summaries, AgentTelemetry.Summary::sentPerSecond));
  }

  private static double total(List<AgentTelemetry.Summary> summaries, ToDoubleFunction<AgentTelemetry.Summary> figure) {
    return summaries.stream().mapToDouble(figure).filter(Double::isFinite).sum();
  }

  /** Writes what is not in the shared store yet. */
  @Override
  public void close() {
    upkeep.shutdown();
    try {
      upkeep.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (shared.isPresent()) {
      ScheduledJob.runKept("agents' own metrics: writing to the store", this::write);
    }
  }

  private boolean current(AgentTelemetry.Summary summary, long now) {
    return now - summary.at() <= settings.window().toMillis();
  }

  /** Forgets agents whose figures have all left the window. */
  void forgetOld(long now) {
    long before = now - settings.window().toMillis();
    agents.entrySet().removeIf(entry -> entry.getValue().telemetry().idleSince(now, settings.window().toMillis()));
    shared.ifPresent(store -> store.forgetBefore(before));
  }

  private Kept kept(String uid) {
    return agents.computeIfAbsent(uid, key -> new Kept(window(key),
        new RequestAllowance(settings.requestsPerMinute(), System.currentTimeMillis())));
  }

  /** A new window, or the one the shared store has for the agent, so that its rates go on from there. */
  private AgentTelemetry window(String uid) {
    try {
      Optional<byte[]> stored = shared.flatMap(store -> store.window(uid));
      if (stored.isPresent()) {
        return AgentTelemetry.decode(stored.get());
      }
    } catch (RuntimeException e) {
      log.warn("agent {}: its stored own metrics cannot be read ({}); starting a new window", uid, e.getMessage());
    }
    return new AgentTelemetry(settings.samples(), settings.window().toMillis());
  }

  private void write() {
    long now = System.currentTimeMillis();
    List<OwnMetricsRepository.Row> rows = new ArrayList<>();
    for (String uid : List.copyOf(unwritten)) {
      unwritten.remove(uid);
      Kept kept = agents.get(uid);
      AgentTelemetry.Summary summary = kept == null ? null : kept.telemetry().summary(now);
      if (summary != null) {
        rows.add(new OwnMetricsRepository.Row(uid, summary.at(), summary.cpuPercent(), summary.rssBytes(),
            summary.acceptedPerSecond(), summary.sentPerSecond(), kept.telemetry().droppingUntil(),
            summary.queueFilling(), kept.telemetry().encode()));
      }
    }
    shared.orElseThrow().write(rows);
    // Windows idle here go back to the store only: their agents may send to another server now.
    agents.entrySet().removeIf(entry -> !unwritten.contains(entry.getKey())
        && entry.getValue().telemetry().idleSince(now, IDLE_MILLIS));
  }

  private Map<String, OwnMetricsRepository.Row> readStored() {
    Map<String, OwnMetricsRepository.Row> rows = new HashMap<>();
    shared.orElseThrow().latest().forEach(row -> rows.put(row.uid(), row));
    return rows;
  }

  private static AgentTelemetry.Summary summary(OwnMetricsRepository.Row row, long now) {
    return new AgentTelemetry.Summary(row.at(), row.cpuPercent(), row.rssBytes(), row.acceptedPerSecond(),
        row.sentPerSecond(), now < row.droppingUntil(), row.queueFilling());
  }
}

package io.opampfleet.harness.loadtest;

import io.opampfleet.api.NewConfigVersion;
import io.opampfleet.api.Rollout;
import io.opampfleet.api.RolloutRequest;
import io.opampfleet.client.FleetApiException;
import io.opampfleet.client.FleetClient;
import io.opampfleet.client.FleetUnreachableException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/** Drives a rollout on our server through its admin API: a new config version, a rollout, its end. */
final class RolloutDriver {
  private final FleetClient client;
  private final URI admin;

  RolloutDriver(URI admin, String token) {
    this.client = new FleetClient(admin, token, null);
    this.admin = admin;
  }

  /** Adds a version of the config and returns its number. */
  int addVersion(String config, String body) {
    return call(() -> client.addVersion(config, new NewConfigVersion(body, "loadtest")).version());
  }

  /** Starts a rollout and returns its id. */
  long start(String selector, String config, int version, String waves, String budget, Duration applyTimeout) {
    return call(() -> client.startRollout(new RolloutRequest(selector, config, version, waves, null, budget,
        applyTimeout.toSeconds() + "s")).id());
  }

  /**
   * Polls the rollout every 100 ms until it ends or the time is up, marking its waves and states and
   * timing each agent's APPLIED as the server records it (to the poll that first shows it); returns
   * its last view.
   */
  Rollout follow(long id, Duration limit, Timeline timeline) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    Rollout view = call(() -> client.rollout(id));
    int wave = 1;
    String state = "RUNNING";
    long recorded = 0;
    while (true) {
      // Applied and healthy as the server has it: baking, or done baking.
      long now = view.counts().getOrDefault("BAKING", 0) + view.counts().getOrDefault("DONE", 0);
      timeline.recorded(now - recorded, System.nanoTime());
      recorded = Math.max(recorded, now);
      if (view.currentWave() != wave) {
        wave = view.currentWave();
        timeline.mark("wave " + wave);
      }
      if (!view.state().equals(state)) {
        state = view.state();
        if (!state.equals("RUNNING")) {
          timeline.mark(state);
        }
      }
      if (view.ended() || System.nanoTime() >= end) {
        return view;
      }
      Thread.sleep(100);
      view = call(() -> client.rollout(id));
    }
  }

  /** The server's unlabelled figures from /metrics; empty when they cannot be read. */
  Map<String, Double> metrics() {
    try {
      return client.serverMetrics();
    } catch (RuntimeException e) {
      return Map.of();
    }
  }

  private <T> T call(Supplier<T> request) {
    try {
      return request.get();
    } catch (FleetApiException e) {
      throw new LoadtestException("the admin API refused the load test's call (" + e.status() + "): " + e.getMessage());
    } catch (FleetUnreachableException e) {
      throw new LoadtestException("the admin API at " + admin + " cannot be reached: " + e.getMessage());
    }
  }
}

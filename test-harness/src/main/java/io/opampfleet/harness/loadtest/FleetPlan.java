package io.opampfleet.harness.loadtest;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * Which simulated agents one process runs and how they behave: agents {@code first} to {@code
 * first + count - 1} of the run, spread over the endpoints by index; those below {@code failing}
 * refuse the fragile config; each reports available components of about {@code componentsBytes}
 * (none when 0). Sent as JSON by a coordinator to each of its workers.
 */
record FleetPlan(List<URI> endpoints, int first, int count, int failing, int ramp, String applyDelay,
    long heartbeatSeconds, long statusChurnSeconds, double reconnectChurn, Map<String, String> headers,
    int componentsBytes) {

  /** The same agents' behaviour for agents {@code first} to {@code first + count - 1}, at this ramp. */
  FleetPlan share(int first, int count, int ramp) {
    return new FleetPlan(endpoints, first, count, failing, ramp, applyDelay, heartbeatSeconds, statusChurnSeconds,
        reconnectChurn, headers, componentsBytes);
  }

  URI endpointOf(int index) {
    return endpointOf(index, 0);
  }

  /**
   * The server of agent {@code index} after it moved on {@code moves} times: each of the others once,
   * then its own again. The agents of one server start on different others, so when it goes they
   * spread over all of them rather than all landing on the next one (which could not hold them all).
   */
  URI endpointOf(int index, int moves) {
    int n = endpoints.size();
    int own = index % n;
    int step = moves % n;
    if (step == 0) {
      return endpoints.get(own);
    }
    int other = ((index / n) + step - 1) % (n - 1);
    // The others, in order after its own.
    return endpoints.get((own + 1 + other) % n);
  }
}

package io.opampfleet.harness.loadtest;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * Which simulated agents one process runs and how they behave: agents {@code first} to {@code
 * first + count - 1} of the run, spread over the endpoints by index; those below {@code failing}
 * refuse the fragile config. Sent as JSON by a coordinator to each of its workers.
 */
record FleetPlan(List<URI> endpoints, int first, int count, int failing, int ramp, String applyDelay,
    long heartbeatSeconds, long statusChurnSeconds, double reconnectChurn, Map<String, String> headers) {

  /** The same agents' behaviour for agents {@code first} to {@code first + count - 1}, at this ramp. */
  FleetPlan share(int first, int count, int ramp) {
    return new FleetPlan(endpoints, first, count, failing, ramp, applyDelay, heartbeatSeconds, statusChurnSeconds,
        reconnectChurn, headers);
  }

  URI endpointOf(int index) {
    return endpoints.get(index % endpoints.size());
  }
}

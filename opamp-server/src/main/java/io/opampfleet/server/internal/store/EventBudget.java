package io.opampfleet.server.internal.store;

import java.util.HashMap;
import java.util.Map;

/**
 * How many events of one agent are kept an hour: an agent that flaps (healthy, unhealthy, again)
 * or reconnects in a loop would otherwise grow its history without end, and with it the store's queue
 * and the store. Past {@link #PER_HOUR} in an hour (by the events' own times), one more says so and
 * the rest of that hour's are not kept. A fixed window, counted in memory: one count per agent with
 * events this hour.
 */
final class EventBudget {
  static final int PER_HOUR = 120;
  private static final long HOUR_MILLIS = 3_600_000;

  enum Admission { KEEP, LAST, DROP }

  private final Map<String, Integer> spent = new HashMap<>();
  private long hour = Long.MIN_VALUE;

  synchronized Admission admit(String uid, long at) {
    long eventHour = Math.floorDiv(at, HOUR_MILLIS);
    if (eventHour > hour) {
      hour = eventHour;
      spent.clear();
    }
    int count = spent.merge(uid, 1, Integer::sum);
    if (count <= PER_HOUR) {
      return Admission.KEEP;
    }
    return count == PER_HOUR + 1 ? Admission.LAST : Admission.DROP;
  }
}

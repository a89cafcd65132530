package io.opampfleet.server.internal.telemetry;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Own-telemetry requests by the status they were answered with. */
public final class RequestCounts {
  private final Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();

  void count(int status) {
    byStatus.computeIfAbsent(status, key -> new LongAdder()).increment();
  }

  public Map<Integer, Long> byStatus() {
    Map<Integer, Long> counts = new TreeMap<>();
    byStatus.forEach((status, count) -> counts.put(status, count.sum()));
    return counts;
  }
}

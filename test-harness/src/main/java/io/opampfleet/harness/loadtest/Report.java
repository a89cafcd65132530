package io.opampfleet.harness.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * A run's figures with stable names, for people (a table) and for machines (results.json).
 * Latencies are in milliseconds.
 */
record Report(
    int agents, long connected, Map<String, Number> connectMillis, long received, Map<String, Number> receivedMillis,
    long applied, long failed, Map<String, Number> appliedMillis, Map<String, Object> rollout,
    Map<String, Long> errors, long heapBytesPerAgent) {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  static Report of(int agents, Timeline timeline, JsonNode rollout, long heapBytesPerAgent) {
    Map<String, Object> rolloutFigures = new LinkedHashMap<>();
    if (rollout != null) {
      rolloutFigures.put("id", rollout.get("id").asLong());
      rolloutFigures.put("state", rollout.get("state").asText());
      rolloutFigures.put("reason", rollout.path("reason").asText(""));
      rolloutFigures.put("counts", JSON.convertValue(rollout.get("counts"), Map.class));
    }
    return new Report(agents, timeline.connected.sum(), percentiles(timeline.connect), timeline.receivedCount.sum(),
        percentiles(timeline.received), timeline.appliedCount.sum(), timeline.failedCount.sum(),
        percentiles(timeline.applied), rolloutFigures, timeline.errors(), heapBytesPerAgent);
  }

  private static Map<String, Number> percentiles(Histogram micros) {
    Map<String, Number> figures = new LinkedHashMap<>();
    for (double percentile : new double[] {50, 90, 99, 99.9}) {
      figures.put("p" + (percentile == Math.rint(percentile) ? String.valueOf((int) percentile) : "99.9"),
          micros.getValueAtPercentile(percentile) / 1000.0);
    }
    figures.put("max", micros.getMaxValue() / 1000.0);
    figures.put("count", micros.getTotalCount());
    return figures;
  }

  void print(PrintStream out) {
    out.printf("%n%-34s %10s %10s %10s %10s %10s%n", "", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms");
    row(out, "connect (TCP+TLS+first reply)", connectMillis);
    row(out, "rollout start -> config received", receivedMillis);
    row(out, "rollout start -> APPLIED reported", appliedMillis);
    out.printf("%nagents %,d  connected %,d  received %,d  applied %,d  failed %,d  harness heap %,d B/agent%n",
        agents, connected, received, applied, failed, heapBytesPerAgent);
    if (!rollout.isEmpty()) {
      out.printf("rollout %s: %s %s%n", rollout.get("id"), rollout.get("state"), rollout.get("reason"));
    }
    if (!errors.isEmpty()) {
      out.println("errors: " + errors);
    }
  }

  private static void row(PrintStream out, String name, Map<String, Number> figures) {
    out.printf("%-34s %10.1f %10.1f %10.1f %10.1f %10.1f%n", name, figures.get("p50").doubleValue(),
        figures.get("p90").doubleValue(), figures.get("p99").doubleValue(), figures.get("p99.9").doubleValue(),
        figures.get("max").doubleValue());
  }

  void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    JSON.writeValue(dir.resolve("results.json").toFile(), this);
  }
}

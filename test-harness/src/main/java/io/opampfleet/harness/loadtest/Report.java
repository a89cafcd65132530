package io.opampfleet.harness.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.opampfleet.api.Rollout;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * A run's figures with stable names, for people (a table, report.html) and for machines
 * (results.json). Latencies are in milliseconds; {@code partial} when the run did not finish.
 */
record Report(
    String finishedAt, boolean partial, String machine, int agents, long connected, long reconnected,
    Map<String, Number> connectMillis,
    Map<String, Number> tlsHandshakeMillis, double connectsPerSecond,
    long received, Map<String, Number> receivedMillis, long applied, long failed, Map<String, Number> appliedMillis,
    Map<String, Number> recordedMillis, Map<String, Object> rollout, Map<String, Long> errors, long heapBytesPerAgent, Progress progress,
    Map<String, Double> serverMetrics, Map<String, String> histograms, List<Worker> workers) {

  /**
   * One worker process's own figures, and its histograms (HdrHistogram's compressed encoding in
   * base64): the run's are their exact sums.
   */
  record Worker(String name, int agents, long connected, long received, long applied, long failed,
      Map<String, Number> receivedMillis, Map<String, Number> appliedMillis, Map<String, String> histograms) {

    static Worker of(String name, int agents, Timeline timeline) {
      return new Worker(name, agents, timeline.connected.sum(), timeline.receivedCount.sum(),
          timeline.appliedCount.sum(), timeline.failedCount.sum(), percentiles(timeline.received),
          percentiles(timeline.applied), encoded(timeline));
    }
  }

  /** Agents per tick of {@code tickMillis} since the rollout's start. */
  record Progress(int tickMillis, long[] received, long[] applied, long[] failed, List<Timeline.Mark> marks) {}

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  static Report of(int agents, Timeline timeline, Rollout rollout, long heapBytesPerAgent, boolean partial,
      Map<String, Double> serverMetrics, List<Worker> workers) {
    Map<String, Object> rolloutFigures = new LinkedHashMap<>();
    if (rollout != null) {
      rolloutFigures.put("id", rollout.id());
      rolloutFigures.put("state", rollout.state());
      rolloutFigures.put("reason", rollout.reason() == null ? "" : rollout.reason());
      rolloutFigures.put("waves", rollout.waves() == null ? "" : rollout.waves());
      rolloutFigures.put("counts", rollout.counts());
    }
    int ticks = Timeline.length(timeline.receivedPerTick, timeline.appliedPerTick, timeline.failedPerTick);
    Progress progress = new Progress(Timeline.TICK_MILLIS, Timeline.copy(timeline.receivedPerTick, ticks),
        Timeline.copy(timeline.appliedPerTick, ticks), Timeline.copy(timeline.failedPerTick, ticks),
        List.copyOf(timeline.marks));
    String machine = Runtime.getRuntime().availableProcessors() + " cores, "
        + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB max heap, " + System.getProperty("os.name")
        + " " + System.getProperty("os.arch") + ", Java " + System.getProperty("java.version");
    return new Report(Instant.now().toString(), partial, machine, agents, timeline.connected.sum(),
        timeline.reconnected.sum(),
        percentiles(timeline.connect), percentiles(timeline.handshake), Math.round(timeline.connectRate() * 10) / 10.0,
        timeline.receivedCount.sum(), percentiles(timeline.received),
        timeline.appliedCount.sum(), timeline.failedCount.sum(), percentiles(timeline.applied),
        percentiles(timeline.recorded), rolloutFigures,
        timeline.errors(), heapBytesPerAgent, progress, serverMetrics, encoded(timeline), workers);
  }

  private static Map<String, String> encoded(Timeline timeline) {
    Map<String, String> histograms = new LinkedHashMap<>();
    timeline.histograms().forEach((name, histogram) -> histograms.put(name, HistogramText.encode(histogram)));
    return histograms;
  }

  static Report read(Path file) {
    try {
      return JSON.readValue(file.toFile(), Report.class);
    } catch (IOException e) {
      throw new LoadtestException(file + ": not a loadtest results.json: " + e.getMessage().split("\n")[0]);
    }
  }

  private static Map<String, Number> percentiles(Histogram micros) {
    Map<String, Number> figures = new LinkedHashMap<>();
    figures.put("p50", micros.getValueAtPercentile(50) / 1000.0);
    figures.put("p90", micros.getValueAtPercentile(90) / 1000.0);
    figures.put("p99", micros.getValueAtPercentile(99) / 1000.0);
    figures.put("p99.9", micros.getValueAtPercentile(99.9) / 1000.0);
    figures.put("max", micros.getMaxValue() / 1000.0);
    figures.put("count", micros.getTotalCount());
    return figures;
  }

  void print(PrintStream out) {
    out.printf("%n%-34s %10s %10s %10s %10s %10s%n", partial ? "PARTIAL RESULTS" : "", "p50 ms", "p90 ms", "p99 ms",
        "p99.9 ms", "max ms");
    row(out, "connect (TCP+TLS+first reply)", connectMillis);
    row(out, "TLS handshake", tlsHandshakeMillis);
    row(out, "rollout start -> config received", receivedMillis);
    row(out, "rollout start -> APPLIED reported", appliedMillis);
    if (recordedMillis != null && recordedMillis.get("count").longValue() > 0) {
      row(out, "rollout start -> APPLIED recorded", recordedMillis);
    }
    out.printf("%nconnections %,.0f/s%n", connectsPerSecond);
    out.printf("agents %,d  connected %,d  reconnected %,d  received %,d  applied %,d  failed %,d"
        + "  harness heap %,d B/agent%n", agents, connected, reconnected, received, applied, failed, heapBytesPerAgent);
    if (!rollout.isEmpty()) {
      out.printf("rollout %s: %s %s%n", rollout.get("id"), rollout.get("state"), rollout.get("reason"));
    }
    if (!errors.isEmpty()) {
      out.println("errors: " + errors);
    }
    if (workers != null && !workers.isEmpty()) {
      for (Worker worker : workers) {
        out.printf("worker %-20s agents %,d  connected %,d  applied %,d  failed %,d  p99 to APPLIED %.1f ms%n",
            worker.name(), worker.agents(), worker.connected(), worker.applied(), worker.failed(),
            worker.appliedMillis().get("p99").doubleValue());
      }
    }
    if (!serverMetrics.isEmpty()) {
      out.println("server: " + serverMetrics);
    }
  }

  private static void row(PrintStream out, String name, Map<String, Number> figures) {
    out.printf("%-34s %10.1f %10.1f %10.1f %10.1f %10.1f%n", name, figures.get("p50").doubleValue(),
        figures.get("p90").doubleValue(), figures.get("p99").doubleValue(), figures.get("p99.9").doubleValue(),
        figures.get("max").doubleValue());
  }

  /** results.json and report.html in {@code dir}. */
  void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    JSON.writeValue(dir.resolve("results.json").toFile(), this);
    Files.writeString(dir.resolve("report.html"), ReportHtml.render(this), StandardCharsets.UTF_8);
  }
}

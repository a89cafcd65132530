package io.opampfleet.harness.loadtest;

import java.util.Locale;
import java.util.Map;

/**
 * report.html: the run's table and two charts drawn as inline SVG, so the page needs no network and
 * no script: the latency percentiles, and agents over time since the rollout's start.
 */
final class ReportHtml {
  private static final int WIDTH = 760;
  private static final int HEIGHT = 260;
  private static final int LEFT = 70;
  private static final int BOTTOM = 30;

  private ReportHtml() {}

  static String render(Report report) {
    StringBuilder html = new StringBuilder();
    html.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>OpAMP Fleet loadtest</title>")
        .append("<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:820px}")
        .append("table{border-collapse:collapse}td,th{padding:.25rem .7rem;border-bottom:1px solid #ddd;text-align:right}")
        .append("th:first-child,td:first-child{text-align:left}.partial{color:#b00;font-weight:bold}")
        .append("svg text{font-size:11px;fill:#444}</style></head><body>");
    html.append("<h1>Loadtest: ").append(String.format(Locale.ROOT, "%,d", report.agents())).append(" agents</h1>");
    if (report.partial()) {
      html.append("<p class=\"partial\">Partial results: the run was stopped or lost its server before the end.</p>");
    }
    html.append("<p>").append(escape(report.finishedAt())).append(" &middot; ").append(escape(report.machine()))
        .append("</p>");
    if (!report.rollout().isEmpty()) {
      html.append("<p>Rollout ").append(report.rollout().get("id")).append(": <b>")
          .append(escape(String.valueOf(report.rollout().get("state")))).append("</b> ")
          .append(escape(String.valueOf(report.rollout().get("reason")))).append("</p>");
    }
    html.append("<table><tr><th></th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th></tr>");
    row(html, "connect (TCP + TLS + first reply)", report.connectMillis());
    row(html, "TLS handshake", report.tlsHandshakeMillis());
    row(html, "rollout start &rarr; config received", report.receivedMillis());
    row(html, "rollout start &rarr; APPLIED reported", report.appliedMillis());
    if (report.recordedMillis() != null && report.recordedMillis().get("count").longValue() > 0) {
      row(html, "rollout start &rarr; APPLIED recorded (server API, 100 ms polls)", report.recordedMillis());
    }
    html.append("</table><p>").append(String.format(Locale.ROOT, "%,.0f", report.connectsPerSecond()))
        .append(" connections per second; connected ").append(report.connected()).append(", received ").append(report.received())
        .append(", applied ").append(report.applied()).append(", failed ").append(report.failed())
        .append(", harness heap ").append(report.heapBytesPerAgent()).append(" bytes per agent");
    if (!report.errors().isEmpty()) {
      html.append("<br>errors: ").append(escape(report.errors().toString()));
    }
    html.append("</p><h2>Latency from the rollout's start</h2>").append(percentileChart(report));
    html.append("<h2>Agents over time</h2>").append(timelineChart(report.progress()));
    return html.append("</body></html>\n").toString();
  }

  private static void row(StringBuilder html, String name, Map<String, Number> figures) {
    html.append("<tr><td>").append(name).append("</td>");
    for (String key : new String[] {"p50", "p90", "p99", "p99.9", "max"}) {
      html.append(String.format(Locale.ROOT, "<td>%.1f</td>", figures.get(key).doubleValue()));
    }
    html.append("</tr>");
  }

  /** Bars for each percentile of config received and of APPLIED reported. */
  private static String percentileChart(Report report) {
    String[] keys = {"p50", "p90", "p99", "p99.9", "max"};
    double top = Math.max(1, report.appliedMillis().get("max").doubleValue());
    top = Math.max(top, report.receivedMillis().get("max").doubleValue());
    StringBuilder svg = svgStart();
    axis(svg, top, "ms");
    int slot = (WIDTH - LEFT - 20) / keys.length;
    for (int i = 0; i < keys.length; i++) {
      int x = LEFT + 10 + i * slot;
      bar(svg, x, slot / 3, report.receivedMillis().get(keys[i]).doubleValue(), top, "#7aa6d6");
      bar(svg, x + slot / 3 + 2, slot / 3, report.appliedMillis().get(keys[i]).doubleValue(), top, "#2f6db5");
      svg.append(text(x + slot / 3, HEIGHT - 10, keys[i]));
    }
    legend(svg, "config received", "#7aa6d6", "APPLIED reported", "#2f6db5");
    return svg.append("</svg>").toString();
  }

  /** Cumulative agents that received and applied the config, failures marked, over seconds. */
  private static String timelineChart(Report.Progress progress) {
    int ticks = progress.applied().length;
    if (ticks == 0) {
      return "<p>No rollout was followed in this run.</p>";
    }
    long[] received = cumulative(progress.received());
    long[] applied = cumulative(progress.applied());
    double top = Math.max(1, Math.max(received[ticks - 1], applied[ticks - 1]));
    StringBuilder svg = svgStart();
    axis(svg, top, "agents");
    svg.append(line(received, top, "#7aa6d6")).append(line(applied, top, "#2f6db5"));
    for (int i = 0; i < ticks; i++) {
      if (progress.failed()[i] > 0) {
        int x = x(i, ticks);
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"20\" y2=\"%d\" stroke=\"#c33\" "
            + "stroke-opacity=\".5\"><title>%d failed at %.1f s</title></line>", x, x, HEIGHT - BOTTOM,
            progress.failed()[i], i * progress.tickMillis() / 1000.0));
      }
    }
    double seconds = ticks * progress.tickMillis() / 1000.0;
    int row = 0;
    for (Timeline.Mark mark : progress.marks()) {
      int x = LEFT + (int) ((WIDTH - LEFT - 20) * Math.min(1.0, mark.seconds() / Math.max(seconds, 0.001)));
      boolean bad = mark.label().startsWith("ROLL") || mark.label().equals("FAILED");
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"20\" y2=\"%d\" stroke=\"%s\" "
          + "stroke-dasharray=\"4 3\"/>", x, x, HEIGHT - BOTTOM, bad ? "#c33" : "#555"));
      // Labels step down so that marks close in time stay readable; near the right edge they end at the line.
      boolean right = x > WIDTH - 140;
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\">%s</text>",
          right ? x - 3 : x + 3, 34 + 13 * (row++ % 6), right ? "end" : "start", escape(mark.label())));
    }
    svg.append(text(LEFT, HEIGHT - 10, "0 s")).append(text(WIDTH - 40, HEIGHT - 10,
        String.format(Locale.ROOT, "%.1f s", seconds)));
    legend(svg, "received", "#7aa6d6", "applied (red lines: failures; dashed: waves, rollback)", "#2f6db5");
    return svg.append("</svg>").toString();
  }

  private static long[] cumulative(long[] perTick) {
    long[] sums = new long[perTick.length];
    long sum = 0;
    for (int i = 0; i < perTick.length; i++) {
      sum += perTick[i];
      sums[i] = sum;
    }
    return sums;
  }

  private static String line(long[] values, double top, String color) {
    StringBuilder points = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      points.append(x(i, values.length)).append(',').append(y(values[i], top)).append(' ');
    }
    return "<polyline fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2\" points=\"" + points + "\"/>";
  }

  private static int x(int index, int count) {
    return LEFT + (int) ((WIDTH - LEFT - 20) * (count == 1 ? 1.0 : index / (double) (count - 1)));
  }

  private static int y(double value, double top) {
    return HEIGHT - BOTTOM - (int) ((HEIGHT - BOTTOM - 20) * value / top);
  }

  private static StringBuilder svgStart() {
    return new StringBuilder(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\">", WIDTH, HEIGHT));
  }

  private static void axis(StringBuilder svg, double top, String unit) {
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"20\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>", LEFT, LEFT,
        HEIGHT - BOTTOM));
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>", LEFT,
        HEIGHT - BOTTOM, WIDTH - 20, HEIGHT - BOTTOM));
    svg.append(text(4, 24, String.format(Locale.ROOT, "%,.0f %s", top, unit)));
    svg.append(text(4, HEIGHT - BOTTOM, "0"));
  }

  private static void bar(StringBuilder svg, int x, int width, double value, double top, String color) {
    int y = y(value, top);
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\">"
        + "<title>%.1f ms</title></rect>", x, y, width, HEIGHT - BOTTOM - y, color, value));
  }

  private static void legend(StringBuilder svg, String first, String firstColor, String second, String secondColor) {
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"4\" width=\"10\" height=\"10\" fill=\"%s\"/>", LEFT + 10,
        firstColor)).append(text(LEFT + 24, 13, first));
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"4\" width=\"10\" height=\"10\" fill=\"%s\"/>", LEFT + 200,
        secondColor)).append(text(LEFT + 214, 13, second));
  }

  private static String text(int x, int y, String content) {
    return "<text x=\"" + x + "\" y=\"" + y + "\">" + escape(content) + "</text>";
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}

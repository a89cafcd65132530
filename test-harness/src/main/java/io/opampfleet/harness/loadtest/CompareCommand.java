package io.opampfleet.harness.loadtest;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code loadtest compare A.json B.json}: two runs side by side, with B's figures as a ratio of A's. */
@Command(name = "compare", mixinStandardHelpOptions = true,
    description = "Prints two runs' figures side by side, B as a ratio of A (below 1: B is faster).")
final class CompareCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "The baseline results.json")
  Path baseline;
  @Parameters(index = "1", description = "The results.json to compare with it")
  Path candidate;

  @Override
  public Integer call() {
    try {
      Report a = Report.read(baseline);
      Report b = Report.read(candidate);
      System.out.printf("%-44s %12s %12s %8s%n", "", "A", "B", "B / A");
      System.out.printf("%-44s %12s %12s%n", "", a.agents() + " agents", b.agents() + " agents");
      rows("connect", a.connectMillis(), b.connectMillis());
      rows("TLS handshake", a.tlsHandshakeMillis(), b.tlsHandshakeMillis());
      row("connections per second", a.connectsPerSecond(), b.connectsPerSecond());
      rows("rollout start -> config received", a.receivedMillis(), b.receivedMillis());
      rows("rollout start -> APPLIED reported", a.appliedMillis(), b.appliedMillis());
      rows("rollout start -> APPLIED recorded", a.recordedMillis(), b.recordedMillis());
      row("harness heap per agent (bytes)", a.heapBytesPerAgent(), b.heapBytesPerAgent());
      return 0;
    } catch (LoadtestException e) {
      System.err.println("loadtest compare: " + e.getMessage());
      return 2;
    }
  }

  /** A figure's percentiles; one that either run lacks (an older harness did not measure it) is said so. */
  private static void rows(String name, Map<String, Number> a, Map<String, Number> b) {
    if (a == null || b == null) {
      System.out.printf("%-44s %12s %12s%n", name, a == null ? "-" : "", b == null ? "-" : "");
      return;
    }
    for (String key : new String[] {"p50", "p90", "p99", "p99.9", "max"}) {
      row(name + " " + key + " (ms)", a.get(key).doubleValue(), b.get(key).doubleValue());
    }
  }

  private static void row(String name, double a, double b) {
    System.out.printf("%-44s %12.1f %12.1f %8s%n", name, a, b, a == 0 ? "-" : String.format("%.2f", b / a));
  }
}

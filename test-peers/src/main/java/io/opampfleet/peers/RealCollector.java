package io.opampfleet.peers;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real collector that scripts/setup/collector.sh builds, found through {@code -Dotelcol.binary}. */
public final class RealCollector {
  private RealCollector() {}

  public static Path binary() {
    String configured = System.getProperty("otelcol.binary", "");
    if (configured.isBlank() || configured.startsWith("${")) {
      throw new IllegalStateException("no collector binary: run the tests with scripts/test, which builds it,"
          + " or set OTELCOL_BIN to the output of scripts/setup/collector.sh");
    }
    Path binary = Path.of(configured);
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(binary + " is missing; rebuild it with scripts/setup/collector.sh");
    }
    return binary;
  }
}

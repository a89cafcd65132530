package io.opampfleet.supervisor.cli;

import io.opampfleet.supervisor.config.SupervisorConfig.Telemetry;
import java.util.List;

/**
 * The supervisor's own logs as telemetry::logs asks: the level, and where they go (the first of
 * output_paths: stdout, stderr or a file). Set before the first logger is made, since the logging
 * backend reads these once.
 */
final class OwnLogging {
  private OwnLogging() {}

  static void apply(Telemetry telemetry) {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level(telemetry.logLevel()));
    System.setProperty("org.slf4j.simpleLogger.logFile", target(telemetry.logOutputPaths()));
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
  }

  /** zap's levels in the logging backend's words; the ones past error all mean error. */
  static String level(String zapLevel) {
    return switch (zapLevel) {
      case "debug", "info", "warn", "error" -> zapLevel;
      default -> "error";
    };
  }

  static String target(List<String> outputPaths) {
    String first = outputPaths.isEmpty() ? "stdout" : outputPaths.get(0);
    return switch (first) {
      case "stdout" -> "System.out";
      case "stderr" -> "System.err";
      default -> first;
    };
  }
}

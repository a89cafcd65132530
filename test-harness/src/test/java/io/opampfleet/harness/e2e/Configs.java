package io.opampfleet.harness.e2e;

/** The collector configs the scenarios roll out. */
final class Configs {
  private Configs() {}

  /** Opens OTLP/HTTP on its usual port and writes the traces it gets to {@code file}. */
  static String tracesToFile(String file) {
    return otlpHttpTraces(SupervisedCollectorContainer.OTLP_HTTP_PORT, "file:\n    path: " + file, "file");
  }

  /** Valid, but the collector cannot start on it: its receiver wants a port the supervisor holds. */
  static String portTaken() {
    return otlpHttpTraces(SupervisedCollectorContainer.SUPERVISOR_HEALTH_PORT, "nop:", "nop");
  }

  /** Traces from an OTLP/HTTP receiver on {@code port} to one exporter (its YAML under {@code exporters}). */
  private static String otlpHttpTraces(int port, String exporterYaml, String exporter) {
    return """
        receivers:
          otlp:
            protocols:
              http:
                endpoint: 0.0.0.0:%d
        exporters:
          %s
        service:
          pipelines:
            traces:
              receivers: [otlp]
              exporters: [%s]
          telemetry: {metrics: {level: none}}
        """.formatted(port, exporterYaml, exporter);
  }
}

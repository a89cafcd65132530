package io.opampfleet.harness.e2e;

/** The collector configs the scenarios roll out. */
final class Configs {
  private Configs() {}

  /** Opens OTLP/HTTP on its usual port and writes the traces it gets to {@code file}. */
  static String tracesToFile(String file) {
    return """
        receivers:
          otlp:
            protocols:
              http:
                endpoint: 0.0.0.0:%d
        exporters:
          file:
            path: %s
        service:
          pipelines:
            traces:
              receivers: [otlp]
              exporters: [file]
          telemetry: {metrics: {level: none}}
        """.formatted(SupervisedCollectorContainer.OTLP_HTTP_PORT, file);
  }

  /** Valid, but the collector cannot start on it: its receiver wants a port the supervisor holds. */
  static String portTaken() {
    return """
        receivers:
          otlp:
            protocols:
              http:
                endpoint: 0.0.0.0:%d
        exporters:
          nop:
        service:
          pipelines:
            traces:
              receivers: [otlp]
              exporters: [nop]
          telemetry: {metrics: {level: none}}
        """.formatted(SupervisedCollectorContainer.SUPERVISOR_HEALTH_PORT);
  }
}

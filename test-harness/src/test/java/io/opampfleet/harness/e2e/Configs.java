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

  /** Takes traces and cannot deliver them: its exporter points at a closed port and neither retries nor queues. */
  static String tracesDropped() {
    return otlpHttpTraces(SupervisedCollectorContainer.OTLP_HTTP_PORT, """
        otlp/nowhere:
            endpoint: 127.0.0.1:1
            tls: {insecure: true}
            timeout: 1s
            retry_on_failure: {enabled: false}
            sending_queue: {enabled: false}""", "otlp/nowhere");
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
        """.formatted(port, exporterYaml, exporter);
  }
}

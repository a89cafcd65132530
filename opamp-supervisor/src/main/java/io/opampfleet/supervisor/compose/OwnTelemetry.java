package io.opampfleet.supervisor.compose;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opampfleet.proto.ConnectionSettingsOffers;
import io.opampfleet.proto.Header;
import io.opampfleet.proto.TelemetryConnectionSettings;
import io.opampfleet.supervisor.config.SupervisorConfig.Capabilities;

/**
 * Where the server wants the collector's own metrics, logs and traces: the part of
 * {@code $OWN_TELEMETRY_CONFIG} the Go supervisor renders from owntelemetry.yaml. Each signal goes
 * over OTLP/HTTP to the offered endpoint with the offered headers, and only when the matching
 * reports_own_* capability is on; the offer's TLS settings are not used, as in Go.
 */
public final class OwnTelemetry {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private OwnTelemetry() {}

  /** The service::telemetry snippet for the offers; empty when nothing usable was offered. */
  public static ObjectNode snippet(ConnectionSettingsOffers offers, Capabilities capabilities) {
    ObjectNode telemetry = NODES.objectNode();
    if (capabilities.reportsOwnMetrics() && offered(offers.getOwnMetrics())) {
      telemetry.set("metrics", list("readers", "periodic", offers.getOwnMetrics()));
    }
    if (capabilities.reportsOwnLogs() && offered(offers.getOwnLogs())) {
      telemetry.set("logs", list("processors", "batch", offers.getOwnLogs()));
    }
    if (capabilities.reportsOwnTraces() && offered(offers.getOwnTraces())) {
      telemetry.set("traces", list("processors", "batch", offers.getOwnTraces()));
    }
    if (telemetry.isEmpty()) {
      return NODES.objectNode();
    }
    ObjectNode service = NODES.objectNode();
    service.set("telemetry", telemetry);
    ObjectNode snippet = NODES.objectNode();
    snippet.set("service", service);
    return snippet;
  }

  /** Whether the offers hold anything this supervisor would render. */
  public static boolean any(ConnectionSettingsOffers offers) {
    return offered(offers.getOwnMetrics()) || offered(offers.getOwnLogs()) || offered(offers.getOwnTraces());
  }

  private static boolean offered(TelemetryConnectionSettings settings) {
    return !settings.getDestinationEndpoint().isEmpty();
  }

  /** {@code {<key>: [{<kind>: {exporter: {otlp: {...}}}}]}}: a periodic reader or a batch processor. */
  private static ObjectNode list(String key, String kind, TelemetryConnectionSettings settings) {
    ObjectNode otlp = NODES.objectNode();
    otlp.put("protocol", "http/protobuf");
    otlp.put("endpoint", settings.getDestinationEndpoint());
    if (settings.getHeaders().getHeadersCount() > 0) {
      ArrayNode headers = otlp.putArray("headers");
      for (Header header : settings.getHeaders().getHeadersList()) {
        headers.addObject().put("name", header.getKey()).put("value", header.getValue());
      }
    }
    ObjectNode exporter = NODES.objectNode();
    exporter.set("otlp", otlp);
    ObjectNode element = NODES.objectNode();
    element.putObject(kind).set("exporter", exporter);
    ObjectNode node = NODES.objectNode();
    node.putArray(key).add(element);
    return node;
  }
}

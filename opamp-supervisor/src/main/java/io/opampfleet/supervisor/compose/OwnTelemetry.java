package io.opampfleet.supervisor.compose;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opampfleet.proto.ConnectionSettingsOffers;
import io.opampfleet.proto.Header;
import io.opampfleet.proto.TelemetryConnectionSettings;
import io.opampfleet.supervisor.config.SupervisorConfig.Capabilities;
import io.opampfleet.supervisor.config.SupervisorConfig.Server;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Where the server wants the collector's own metrics, logs and traces: the part of
 * {@code $OWN_TELEMETRY_CONFIG} the Go supervisor renders from owntelemetry.yaml. Each signal goes
 * over OTLP/HTTP to the offered endpoint with the offered headers, and only when the matching
 * reports_own_* capability is on; the offer's TLS settings are not used, as in Go. An endpoint on
 * the OpAMP server itself (same host and port over https) is reached with the supervisor's own TLS
 * files, so that a server that asks agents for client certificates knows the sender.
 */
public final class OwnTelemetry {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private OwnTelemetry() {}

  /** The service::telemetry snippet for the offers; empty when nothing usable was offered. */
  public static ObjectNode snippet(ConnectionSettingsOffers offers, Capabilities capabilities, Server server) {
    ObjectNode telemetry = NODES.objectNode();
    if (capabilities.reportsOwnMetrics() && offered(offers.getOwnMetrics())) {
      telemetry.set("metrics", list("readers", "periodic", offers.getOwnMetrics(), server));
    }
    if (capabilities.reportsOwnLogs() && offered(offers.getOwnLogs())) {
      telemetry.set("logs", list("processors", "batch", offers.getOwnLogs(), server));
    }
    if (capabilities.reportsOwnTraces() && offered(offers.getOwnTraces())) {
      telemetry.set("traces", list("processors", "batch", offers.getOwnTraces(), server));
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

  /** Whether the endpoint is https on the OpAMP server's own host and port. */
  private static boolean onTheServer(String endpoint, Server server) {
    try {
      URI uri = new URI(endpoint);
      URI upstream = server.endpoint();
      return "https".equals(uri.getScheme()) && Set.of("wss", "https").contains(upstream.getScheme())
          && port(uri) == port(upstream) && sameHost(uri.getHost(), upstream.getHost());
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /**
   * The same name, or names with an address in common: a supervisor that connects to 127.0.0.1 is
   * offered the server's own receiver at localhost.
   */
  private static boolean sameHost(String offered, String upstream) {
    if (offered == null || upstream == null) {
      return false;
    }
    if (offered.equalsIgnoreCase(upstream)) {
      return true;
    }
    try {
      Set<InetAddress> addresses = new HashSet<>(Arrays.asList(InetAddress.getAllByName(upstream)));
      return Arrays.stream(InetAddress.getAllByName(offered)).anyMatch(addresses::contains);
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static int port(URI uri) {
    return uri.getPort() != -1 ? uri.getPort() : 443;
  }

  private static void putFile(ObjectNode otlp, String key, String file) {
    if (file != null && !file.isEmpty()) {
      otlp.put(key, file);
    }
  }

  /** {@code {<key>: [{<kind>: {exporter: {otlp: {...}}}}]}}: a periodic reader or a batch processor. */
  private static ObjectNode list(String key, String kind, TelemetryConnectionSettings settings, Server server) {
    ObjectNode otlp = NODES.objectNode();
    otlp.put("protocol", "http/protobuf");
    otlp.put("endpoint", settings.getDestinationEndpoint());
    if (onTheServer(settings.getDestinationEndpoint(), server)) {
      // The SDK's OTLP exporter takes files only: PEMs written inline in supervisor.yaml are not passed on.
      putFile(otlp, "certificate", server.tls().caFile());
      putFile(otlp, "client_certificate", server.tls().certFile());
      putFile(otlp, "client_key", server.tls().keyFile());
    }
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

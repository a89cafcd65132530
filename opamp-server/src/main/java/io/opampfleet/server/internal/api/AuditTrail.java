package io.opampfleet.server.internal.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.server.internal.api.ApiRequest.Principal;
import io.opampfleet.server.internal.store.AuditLog;
import java.io.IOException;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a change made through the API into an audit log entry: the request, the object before and
 * after, each as those who are not admins read it (the log never holds a secret, not even a new
 * token's), long texts shortened (a config body is kept by its version already) and each part bounded.
 */
final class AuditTrail {
  private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);
  private static final int LONG_TEXT = 2_000;
  private static final int MAX_PART = 20_000;

  private final AuditLog auditLog;
  private final ReaderRedaction redaction;
  private final LongSupplier clock;

  AuditTrail(AuditLog auditLog, ReaderRedaction redaction, LongSupplier clock) {
    this.auditLog = auditLog;
    this.redaction = redaction;
    this.clock = clock;
  }

  /** Records a change that was made; a store that refuses the entry does not undo the change, it is logged. */
  void changed(Principal principal, Route route, String path, byte[] body, Object before, int status, Object after) {
    try {
      auditLog.append(new AuditLog.Entry(0, clock.getAsLong(), principal.name(), principal.role().label(),
          route.method() + " " + route.template(), path, status, part(request(body)), part(before), part(after)));
    } catch (RuntimeException e) {
      log.error("audit: {} {} by {} was made but not recorded: {}", route.method(), path, principal.name(),
          e.getMessage());
    }
  }

  private static Object request(byte[] body) {
    if (body == null || body.length == 0) {
      return null;
    }
    try {
      return AdminApi.JSON.readTree(body);
    } catch (IOException notJson) {
      return Map.of("bytes", body.length);
    }
  }

  private String part(Object value) {
    if (value == null) {
      return null;
    }
    JsonNode tree = redaction.tree(value, AuditTrail::shortened);
    try {
      String json = AdminApi.JSON.writeValueAsString(tree);
      return json.length() <= MAX_PART ? json
          : AdminApi.JSON.writeValueAsString(Map.of("truncated", json.substring(0, MAX_PART - 100)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an audit entry as JSON: " + e.getMessage(), e);
    }
  }

  /** A config body or a package's content is kept elsewhere: here, its start and its length. */
  private static String shortened(String text) {
    return text.length() <= LONG_TEXT ? text : text.substring(0, 200) + "… (" + text.length() + " characters)";
  }
}

package io.opampfleet.server.internal.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.api.AuditEntry;
import io.opampfleet.server.internal.store.AuditLog;
import io.opampfleet.strictyaml.GoDuration;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.LongSupplier;

/** Reads the audit log: who changed what, when, with the object before and after. */
public final class AuditApi {
  private final AuditLog auditLog;
  private final LongSupplier clock;

  public AuditApi(AuditLog auditLog, LongSupplier clock) {
    this.clock = clock;
    this.auditLog = auditLog;
  }

  public List<Route> routes() {
    return List.of(new Route("GET", "/api/v1/audit", Role.VIEWER, this::find));
  }

  private Object find(ApiRequest request) {
    long now = clock.getAsLong();
    AuditLog.Filter filter = new AuditLog.Filter(request.query("actor", ""), request.query("object", ""),
        time(request, "since", now), time(request, "until", now), request.queryInt("limit", 100, 1, 1000));
    return auditLog.find(filter).stream().map(AuditApi::view).toList();
  }

  /** A time as RFC 3339 ({@code 2026-12-05T10:00:00Z}) or as a duration before now ({@code 24h}); 0 for none. */
  private static long time(ApiRequest request, String name, long now) {
    String text = request.query(name, "");
    if (text.isEmpty()) {
      return 0;
    }
    try {
      return Instant.parse(text).toEpochMilli();
    } catch (DateTimeParseException notATime) {
      try {
        return now - GoDuration.parse(text).toMillis();
      } catch (IllegalArgumentException notADuration) {
        throw ApiException.badRequest("query parameter '" + name + "' must be a time such as 2026-12-05T10:00:00Z"
            + " or a duration before now such as 24h, not '" + text + "'");
      }
    }
  }

  private static AuditEntry view(AuditLog.Entry entry) {
    return new AuditEntry(entry.id(), entry.at(), entry.actor(), entry.role(), entry.action(), entry.object(),
        entry.status(), json(entry.request()), json(entry.before()), json(entry.after()));
  }

  private static JsonNode json(String text) {
    try {
      return text == null ? null : AdminApi.JSON.readTree(text);
    } catch (IOException e) {
      throw new IllegalStateException("an audit entry's JSON does not parse: " + e.getMessage(), e);
    }
  }
}

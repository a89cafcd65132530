package io.opampfleet.api;

/**
 * One change recorded in the audit log: who (and in which role), when (epoch milliseconds), the
 * call (method and path template) on which object (path), its status, and the request's body, the
 * object before and after (or the answer) as JSON values; null where there is none.
 */
public record AuditEntry(long id, long at, String actor, String role, String action, String object, int status,
    Object request, Object before, Object after) {}

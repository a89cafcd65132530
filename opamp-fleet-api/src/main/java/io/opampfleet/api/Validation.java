package io.opampfleet.api;

/** A config body that would be saved: always {@code valid: true} (a problem is a 422 error). */
public record Validation(boolean valid) {}

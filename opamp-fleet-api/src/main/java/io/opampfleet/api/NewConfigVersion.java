package io.opampfleet.api;

/** A config's next version: its whole body, and a comment (null for none). */
public record NewConfigVersion(String body, String comment) {}

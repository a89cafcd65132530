package io.opampfleet.api;

/** A config body to check before it is saved. */
public record ConfigBody(String body) {}

package io.opampfleet.api;

/** The name of what was deleted. */
public record Deleted(String deleted) {}

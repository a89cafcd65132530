package io.opampfleet.api;

/** A config version without its body. */
public record ConfigVersionSummary(String name, int version, String sha256, String author, String comment,
    long createdAt) {}

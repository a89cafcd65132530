package io.opampfleet.api;

/** A config version with its body; {@code createdAt} in epoch milliseconds, {@code comment} null when none. */
public record ConfigVersion(String name, int version, String sha256, String author, String comment, long createdAt,
    String body) {}

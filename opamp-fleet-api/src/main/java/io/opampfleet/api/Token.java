package io.opampfleet.api;

/** An admin API token's name and role (viewer, operator or admin); also the answer to whoami. */
public record Token(String name, String role) {}

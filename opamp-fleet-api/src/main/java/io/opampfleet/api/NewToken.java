package io.opampfleet.api;

/** A token just made: its secret is shown only in this answer. */
public record NewToken(String name, String role, String token, String note) {}

package io.opampfleet.api;

/** A token to make: its name and role (viewer, operator or admin). */
public record TokenRequest(String name, String role) {}

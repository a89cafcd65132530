package io.opampfleet.api;

/** An assignment to save: agents its selector matches (null or empty: all) run this config version. */
public record AssignmentRequest(String selector, String config, int version) {}

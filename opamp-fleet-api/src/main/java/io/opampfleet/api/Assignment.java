package io.opampfleet.api;

/** A standing rule: agents its selector matches run this config version. */
public record Assignment(String name, String selector, String config, int version, long createdAt, int matches) {}

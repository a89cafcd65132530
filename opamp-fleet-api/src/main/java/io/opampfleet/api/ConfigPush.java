package io.opampfleet.api;

/** A config version to send to one agent now. */
public record ConfigPush(String config, int version) {}

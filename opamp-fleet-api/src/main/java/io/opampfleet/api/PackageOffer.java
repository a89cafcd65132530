package io.opampfleet.api;

/** A hosted package version to offer one agent now; {@code name} null for its top-level package. */
public record PackageOffer(String name, String version) {}

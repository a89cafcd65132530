package io.opampfleet.api;

/**
 * A package the server hosts: top-level or addon, its size in bytes, whether it is signed, and
 * (for admins only) where agents download it; {@code createdAt} in epoch milliseconds.
 */
public record HostedPackage(String name, String version, String type, String sha256, long size, boolean signed,
    String downloadUrl, long createdAt) {}

package io.opampfleet.api;

/**
 * A package in a JSON body, for small files: its name (null: the agent's top-level package), version,
 * type (top-level or addon; null: top-level), content and signature (null for none) in base64.
 */
public record PackageUpload(String name, String version, String type, String content, String signature) {}

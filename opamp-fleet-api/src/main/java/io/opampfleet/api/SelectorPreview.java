package io.opampfleet.api;

import java.util.List;

/** A selector as the server reads it, how many agents it matches, and up to 20 of their uids. */
public record SelectorPreview(String selector, int matches, List<String> sample) {}

package io.opampfleet.api;

import java.util.List;

/** An assignment as saved, the agents sent its config, and those that lack components it names. */
public record AssignmentApplied(String name, String selector, String config, int version, long createdAt,
    int matches, int applied, List<String> incompatible) {}

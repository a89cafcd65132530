package io.opampfleet.api;

import java.util.List;

/** An agent that more than one assignment matches, and their names. */
public record Conflict(String uid, List<String> assignments) {}

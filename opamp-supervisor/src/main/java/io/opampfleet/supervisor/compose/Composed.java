package io.opampfleet.supervisor.compose;

import java.util.List;

/**
 * An effective.yaml for the collector.
 *
 * @param remoteConfigEmpty the server sent a config with no files: the collector is to stop
 * @param warnings local files that could not be read and were skipped, as the Go supervisor does
 */
public record Composed(String yaml, boolean remoteConfigEmpty, List<String> warnings) {}

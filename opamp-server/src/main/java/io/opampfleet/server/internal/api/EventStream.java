package io.opampfleet.server.internal.api;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * A server-sent event stream: every {@code interval} the next event's data (JSON), until the
 * supplier returns null.
 */
public record EventStream(String event, Duration interval, Supplier<Object> next) {}

package io.opampfleet.api;

/** Something that happened to an agent ({@code at} in epoch milliseconds), kept in its history. */
public record AgentEvent(String uid, long at, String kind, String detail) {}

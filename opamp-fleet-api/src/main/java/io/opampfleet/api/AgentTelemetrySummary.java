package io.opampfleet.api;

/** An agent's latest own figures ({@code at} in epoch milliseconds); a figure not known yet is null. */
public record AgentTelemetrySummary(long at, Double cpuPercent, Double rssBytes, Double acceptedPerSecond,
    Double sentPerSecond, boolean droppingData, boolean queueFilling) {}

package io.opampfleet.api;

import java.util.List;

/** One page of agents, and how many match on all pages. */
public record AgentPage(int total, int page, int size, List<AgentSummary> agents) {}

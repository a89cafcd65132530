package io.opampfleet.netty.server.internal;

import io.opampfleet.netty.server.ServerLimits;

/** What every connection's handlers share: the path served, the limits, and where messages go. */
public record ServerContext(String path, ServerLimits limits, MessageDispatcher dispatcher, HttpAgents httpAgents,
    ConnectionCounter counter) {
  public static ServerContext create(String path, ServerLimits limits, MessageDispatcher dispatcher) {
    return new ServerContext(path, limits, dispatcher, new HttpAgents(dispatcher), new ConnectionCounter(limits.maxConnections()));
  }

  public int httpAgentCount() {
    return httpAgents.size();
  }
}

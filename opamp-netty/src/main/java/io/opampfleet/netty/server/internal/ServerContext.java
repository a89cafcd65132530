package io.opampfleet.netty.server.internal;

import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.opampfleet.netty.guard.ConnectionCounter;
import io.opampfleet.netty.server.Balancers;
import io.opampfleet.netty.server.HttpEndpoint;
import io.opampfleet.netty.server.ServerLimits;
import java.util.Map;

/**
 * What every connection's handlers share: the path served, the other endpoints, the limits, the balancers in front, where
 * messages go, the open connections.
 */
public record ServerContext(String path, ServerLimits limits, Balancers balancers, MessageDispatcher dispatcher,
    Map<String, HttpEndpoint> endpoints, HttpAgents httpAgents, ConnectionCounter counter, ChannelGroup connections,
    MessageBudget budget) {
  public static ServerContext create(String path, ServerLimits limits, Balancers balancers, MessageDispatcher dispatcher,
      Map<String, HttpEndpoint> endpoints) {
    return new ServerContext(path, limits, balancers, dispatcher, Map.copyOf(endpoints), new HttpAgents(dispatcher),
        new ConnectionCounter(limits.maxConnections(), limits.maxConnectionsPerAddress()), new DefaultChannelGroup(GlobalEventExecutor.INSTANCE),
        new MessageBudget(limits.maxBytesInHand()));
  }

  /** Bytes of agents' messages held now. */
  public long bytesInHand() {
    return budget.inUse();
  }

  public int httpAgentCount() {
    return httpAgents.size();
  }
}

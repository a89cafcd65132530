package io.opampfleet.server.internal.replicas;

import java.sql.Connection;
import java.util.Collection;

/**
 * Keeps a small table every server holds a copy of (tokens, assignments) as the store has it: read
 * again whole when another server tells of a change, and at each repair in case a signal was missed.
 */
public final class ReloadOnSignal implements StoreFollower {
  private final String channel;
  private final Runnable reload;

  public ReloadOnSignal(String channel, Runnable reload) {
    this.channel = channel;
    this.reload = reload;
  }

  @Override
  public String channel() {
    return channel;
  }

  @Override
  public void follow(Connection connection, Collection<String> changed) {
    reload.run();
  }

  @Override
  public void repair(Connection connection) {
    reload.run();
  }
}

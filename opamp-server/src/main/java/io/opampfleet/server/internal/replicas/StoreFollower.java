package io.opampfleet.server.internal.replicas;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;

/** Brings one kind of change that servers sharing the store make to this one. */
public interface StoreFollower {
  /** The PostgreSQL channel the change is told on, an agent's uid as payload. */
  String channel();

  /** Reads the agents named by signals from the store and takes what changed. */
  void follow(Connection connection, Collection<String> uids) throws SQLException;

  /** Compares what this server has with the store, for signals missed while it was not listening. */
  void repair(Connection connection) throws SQLException;
}

package io.opampfleet.simulated;

/** What a simulated agent tells whoever counts its moments (the load test's timeline). Times are nanoTime. */
public interface AgentListener {
  AgentListener NONE = new AgentListener() {};

  /** Its first connection, {@code nanos} after it started. */
  default void connected(long nanos) {}

  /** Connected again after it had lost its connection. */
  default void reconnected() {}

  default void handshake(long nanos) {}

  default void error(Throwable cause) {}

  default void error(String kind) {}

  /** A config it had not seen arrived. */
  default void received(long nanoTime) {}

  /** It reported the config APPLIED, or FAILED. */
  default void applied(long nanoTime, boolean failed) {}
}

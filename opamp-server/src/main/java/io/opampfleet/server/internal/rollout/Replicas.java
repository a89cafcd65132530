package io.opampfleet.server.internal.rollout;

/** This server among those sharing the store: one of them drives each rollout at a time. */
public interface Replicas {
  /** This server's name. */
  String name();

  /** Whether this server's own presence is current: one that cannot say it is alive must not drive. */
  boolean present();

  /**
   * How many times this server's presence has lapsed and been renewed: a rollout it drove before a
   * lapse may have been taken over by another server meanwhile.
   */
  long lapses();

  /** Whether the named server is another one, alive. */
  boolean aliveElsewhere(String replica);
}

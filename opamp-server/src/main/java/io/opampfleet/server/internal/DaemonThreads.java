package io.opampfleet.server.internal;

import java.util.concurrent.ThreadFactory;

/** Threads that do not keep the JVM alive: the server's own shutdown stops their work. */
public final class DaemonThreads {
  private DaemonThreads() {}

  /** Threads of this name, as jstack and the logs show them. */
  public static ThreadFactory named(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}

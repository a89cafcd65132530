package io.opampfleet.supervisor.bootstrap;

/** The collector could not be started to describe itself; the message says why and where to look. */
public final class BootstrapException extends Exception {
  private static final long serialVersionUID = 1L;

  public BootstrapException(String message) {
    super(message);
  }
}
